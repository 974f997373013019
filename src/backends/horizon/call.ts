import type { BackendCall } from "../adapter.js";
import type { HorizonClient } from "./client.js";
import type { HorizonLoaders } from "./loaders.js";

/** What a Horizon call needs: the client, the caller's credentials and the operation's loaders. */
export interface HorizonCall extends BackendCall<HorizonLoaders> {
  client: HorizonClient;
}
