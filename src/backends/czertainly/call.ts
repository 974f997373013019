import type { BackendCall } from "../adapter.js";
import type { CzertainlyClient } from "./client.js";
import type { CzertainlyLoaders } from "./loaders.js";

/** What a CZERTAINLY call needs: the client, the caller's credentials and the operation's loaders. */
export interface CzertainlyCall extends BackendCall<CzertainlyLoaders> {
  client: CzertainlyClient;
}
