/** Parsing byte sizes such as `--max-size 500M` (GNU coreutils' suffixes: K = KiB = 1024, KB = 1000). */

const MULTIPLIERS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
};

/** The largest size accepted: the largest file size (2^53 - 1), so sums stay exact. */
const MAX_BYTES = Number.MAX_SAFE_INTEGER;

/**
 * A whole number of bytes from `1048576`, `512K`, `100MiB`, `2G`, `1GB`, … (case-insensitive).
 * Throws a RangeError saying what is accepted; zero is refused, since a quota of 0 elsewhere
 * (Linux disk quotas) means "no limit".
 */
export function parseSize(text: string): number {
  const m = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const multiplier = m ? MULTIPLIERS[m[2].toLowerCase()] : undefined;
  if (!m || multiplier === undefined) {
    throw new RangeError(
      `expected a whole number of bytes with an optional suffix K, M, G, T (powers of 1024, also KiB, MiB, GiB, TiB) or KB, MB, GB, TB (powers of 1000), got '${text}'`,
    );
  }
  const bytes = Number(m[1]) * multiplier;
  if (bytes < 1) throw new RangeError(`the size must be at least 1 byte, got '${text}'`);
  if (!Number.isSafeInteger(bytes) || bytes > MAX_BYTES) {
    throw new RangeError(`the size must be at most ${MAX_BYTES} bytes (2^53 - 1), got '${text}'`);
  }
  return bytes;
}
