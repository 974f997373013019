import { Certificate } from "../../model/certificate.type.js";
import { Backend, CertificateState } from "../../model/enums.js";
import type { BackendAdapter, BackendCall, LoaderOptions } from "../adapter.js";
import type { CallerCredentials } from "../credentials.js";
import type { CzertainlyCall } from "./call.js";
import type { CzertainlyClient } from "./client.js";
import type { CertificateKeyIndex } from "./key-index.js";
import { createCzertainlyLoaders, type CzertainlyLoaders } from "./loaders.js";
import { certificateFromCzertainly } from "./mapper.js";
import {
  czertainlyCancel,
  czertainlyConfirmRevoke,
  czertainlyFinalize,
  czertainlyIssue,
  czertainlyIssueRequested,
  czertainlyRekey,
  czertainlyRenew,
  czertainlyRevoke,
} from "./operations.js";
import { czertainlySearches } from "./search.js";

export interface CzertainlyAdapter extends BackendAdapter<CzertainlyLoaders, CzertainlyLoaders> {
  readonly client: CzertainlyClient;
  /** The call for CZERTAINLY-only features (legacy v1, end entities, attributes) from an operation's credentials and loaders. */
  call(base: BackendCall<CzertainlyLoaders>): CzertainlyCall;
}

/** CZERTAINLY Core behind the unified graph: RA-profile certificates, v2 operations, managed keys. */
export function createCzertainlyAdapter(client: CzertainlyClient, opts: { keyIndex?: CertificateKeyIndex } = {}): CzertainlyAdapter {
  const call = (base: BackendCall<CzertainlyLoaders>): CzertainlyCall => ({ client, creds: base.creds, loaders: base.loaders });
  return {
    backend: Backend.CZERTAINLY,
    key: "czertainly",
    client,
    call,
    capabilities: {
      states: Object.values(CertificateState).filter(s => s !== CertificateState.UNKNOWN),
    },
    createLoaders: (creds: CallerCredentials, stats: LoaderOptions) => createCzertainlyLoaders(client, creds, { ...stats, keyIndex: opts.keyIndex }),
    async loadCertificate(base, uuid) {
      const dto = await base.loaders.czCertificate.load(uuid);
      return dto ? new Certificate(certificateFromCzertainly(dto)) : null;
    },
    acceptsFilter: filter => !filter?.horizonProfile,
    certificateSearches: (base, filter) => czertainlySearches(call(base), filter),
    async readCertificate(creds, uuid) {
      // Fresh loaders per read: a watcher never sees a cache an operation holds.
      const dto = await createCzertainlyLoaders(client, creds).czCertificate.load(uuid);
      return dto ? certificateFromCzertainly(dto) : null;
    },
    operations: {
      issue: (base, input) => czertainlyIssue(call(base), input),
      revoke: (base, uuid, input) => czertainlyRevoke(call(base), uuid, input),
      renew: (base, uuid, input) => czertainlyRenew(call(base), uuid, input),
      rekey: (base, uuid, input) => czertainlyRekey(call(base), uuid, input),
      finalize: (base, uuid, input) => czertainlyFinalize(call(base), uuid, input),
      confirmRevoke: (base, uuid) => czertainlyConfirmRevoke(call(base), uuid),
      issueRequested: (base, uuid) => czertainlyIssueRequested(call(base), uuid),
      cancelPending: (base, uuid, input) => czertainlyCancel(call(base), uuid, input),
    },
    ping: () => client.ping(),
    close: () => client.close(),
  };
}
