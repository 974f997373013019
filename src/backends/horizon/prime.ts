import { Request } from "../../model/request.type.js";
import type { HorizonLoaders } from "./loaders.js";
import { requestFromHorizon, type HzCertificateLike, type HzRequestLike } from "./mapper.js";

/** Maps a Horizon request; a certificate embedded in it primes the loader so Request.certificate costs no call. */
export function requestWithCertificate(call: { loaders: HorizonLoaders }, r: HzRequestLike): Request {
  const embedded = r.certificate as HzCertificateLike | null | undefined;
  if (embedded?._id && embedded.certificate) call.loaders.hzCertificate.prime(embedded._id, embedded);
  return new Request(requestFromHorizon(r));
}
