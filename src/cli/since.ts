/** Parsing `--since` for `agentos tools list`. */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A point in time as epoch seconds, from a duration back from `now` (`30s`, `15m`, `2h`, `7d`,
 * `1w`), epoch seconds (`1714557600`, fractions allowed) or a date understood by `Date.parse`
 * (`2024-05-01`, `2024-05-01T12:00:00Z`). Throws a RangeError naming the accepted forms.
 */
export function parseSince(text: string, now = Date.now()): number {
  const t = text.trim();
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(t);
  if (duration) return (now - Number(duration[1]) * UNIT_MS[duration[2].toLowerCase()]) / 1000;
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (t !== '' && Number.isFinite(ms)) return ms / 1000;
  throw new RangeError(
    `expected a duration (30s, 15m, 2h, 7d, 1w), epoch seconds or a date (2024-05-01T12:00:00Z), got '${text}'`,
  );
}
