/** Wall-clock timestamps as the schema stores them: whole seconds plus nanoseconds. */

export interface Timestamp {
  sec: number;
  nsec: number;
}

/** Now, with microsecond resolution (what a double of epoch milliseconds can hold). */
export function now(): Timestamp {
  const ms = performance.timeOrigin + performance.now();
  const sec = Math.floor(ms / 1000);
  const nsec = Math.min(999_999_999, Math.round((ms - sec * 1000) * 1e6));
  return { sec, nsec };
}

export function fromMilliseconds(ms: number): Timestamp {
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: Math.round((ms - sec * 1000) * 1e6) };
}

export function toMilliseconds(sec: number, nsec: number): number {
  return sec * 1000 + nsec / 1e6;
}
