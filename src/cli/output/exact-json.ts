/**
 * JSON for `-w json` with bigint fields printed as exact number literals, as Go's
 * encoding/json prints int64/uint64 (etcdutl's revisions): JSON.stringify alone throws on a
 * bigint, and Number() would round revisions above 2^53.
 */

/** JSON.stringify(value) where every bigint becomes its decimal literal, unquoted. */
export function stringifyExact(value: unknown): string {
  // A marker no real string can contain: a NUL cannot appear unescaped in JSON text.
  const marker = '\u0000bigint:';
  const text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
