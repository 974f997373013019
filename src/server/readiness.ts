import type { Upstreams } from "../backends/registry.js";

export interface ReadinessAnswer {
  czertainly: boolean;
  horizon: boolean;
}

export interface Readiness {
  /** Both backends' reachability: pinged at most once per cache window, concurrent checks sharing one ping. */
  check(): Promise<ReadinessAnswer>;
}

/**
 * /readyz without a backend call per hit: a probe every second from each of several load balancers
 * would otherwise put that many calls on both backends. The answer (ready or not) is reused for
 * `cacheMs` from when its pings started; 0 pings on every hit.
 */
export function createReadiness(upstreams: Pick<Upstreams, "czertainly" | "horizon">, cacheMs: number, now: () => number = Date.now): Readiness {
  let cached: { at: number; answer: Promise<ReadinessAnswer> } | undefined;
  const ping = async (): Promise<ReadinessAnswer> => {
    const [czertainly, horizon] = await Promise.all([upstreams.czertainly.ping(), upstreams.horizon.ping()]);
    return { czertainly, horizon };
  };
  return {
    check() {
      const t = now();
      if (cached && t - cached.at < cacheMs) return cached.answer;
      const answer = ping();
      cached = { at: t, answer };
      return answer;
    },
  };
}
