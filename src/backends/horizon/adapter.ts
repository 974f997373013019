import { Certificate } from "../../model/certificate.type.js";
import { Backend, CertificateState } from "../../model/enums.js";
import type { BackendAdapter, BackendCall, LoaderOptions } from "../adapter.js";
import type { CallerCredentials } from "../credentials.js";
import type { HorizonCall } from "./call.js";
import type { HorizonClient } from "./client.js";
import { createHorizonLoaders, type HorizonLoaders } from "./loaders.js";
import { certificateFromHorizon, requestFromHorizon } from "./mapper.js";
import { requestWithCertificate } from "./prime.js";
import { decideRequest, horizonIssue, horizonRenew, horizonRevoke } from "./operations.js";
import { horizonSearches } from "./search.js";

export interface HorizonAdapter extends BackendAdapter<HorizonLoaders, HorizonLoaders> {
  readonly client: HorizonClient;
  /** The call for Horizon-only features (request variants, approvals) from an operation's credentials and loaders. */
  call(base: BackendCall<HorizonLoaders>): HorizonCall;
}

/** EVERTRUST Horizon behind the unified graph: issued certificates, and requests that may wait for approval. */
export function createHorizonAdapter(client: HorizonClient): HorizonAdapter {
  const call = (base: BackendCall<HorizonLoaders>): HorizonCall => ({ client, creds: base.creds, loaders: base.loaders });
  return {
    backend: Backend.HORIZON,
    key: "horizon",
    client,
    call,
    // Horizon holds certificates once issued; what is pending is a request.
    capabilities: { states: [CertificateState.ISSUED, CertificateState.REVOKED, CertificateState.EXPIRED] },
    createLoaders: (creds: CallerCredentials, stats: LoaderOptions) => createHorizonLoaders(client, creds, stats),
    async loadCertificate(base, id) {
      const c = await base.loaders.hzCertificate.load(id);
      return c ? new Certificate(certificateFromHorizon(c)) : null;
    },
    async loadRequest(base, id) {
      const r = await base.loaders.hzRequest.load(id);
      return r ? requestWithCertificate(base, r) : null;
    },
    acceptsFilter: filter => !filter?.raProfileId,
    certificateSearches: (base, filter) => horizonSearches(call(base), filter),
    async readCertificate(creds, id) {
      // Fresh loaders per read: a watcher never sees a cache an operation holds.
      const c = await createHorizonLoaders(client, creds).hzCertificate.load(id);
      return c ? certificateFromHorizon(c) : null;
    },
    async readRequest(creds, id) {
      const r = await createHorizonLoaders(client, creds).hzRequest.load(id);
      return r ? requestFromHorizon(r) : null;
    },
    operations: {
      issue: (base, input) => horizonIssue(call(base), input),
      revoke: (base, _id, input) => horizonRevoke(call(base), input),
      renew: (base, _id, input) => horizonRenew(call(base), input),
      cancelRequest: (base, _id, input) => decideRequest(call(base), "cancel", { requestId: input.id }),
    },
    ping: () => client.ping(),
    close: () => client.close(),
  };
}
