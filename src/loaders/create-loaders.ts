import type { CallerCredentials } from "../backends/credentials.js";
import type { LoaderOptions } from "../backends/adapter.js";
import type { AnyLoaders, BackendRegistry } from "../backends/registry.js";

/** Per-operation DataLoaders of every backend: never shared between requests or callers. */
export function createLoaders(backends: BackendRegistry, creds: CallerCredentials, stats: LoaderOptions = {}): Loaders {
  return Object.assign({}, ...backends.all.map(adapter => adapter.createLoaders(creds, stats))) as Loaders;
}

export type Loaders = AnyLoaders;
