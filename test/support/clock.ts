/**
 * A clock that stands still until the test moves it: what the gateway's rate limiter, watch hub and
 * circuit breakers read instead of `Date.now` (`startTestStack(env, log, { now: clock.now })`).
 * Time-dependent behaviour (a cooldown ending, a poll falling due, a rate bucket refilling) then happens
 * exactly when the test says so, however slow the machine is. Timers stay real: a watcher whose timer
 * fires while its poll is not due on this clock just waits for its next one.
 */
export interface ManualClock {
  now: () => number;
  advance(ms: number): void;
}

export function manualClock(start = Date.now()): ManualClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}
