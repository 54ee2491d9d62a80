/**
 * JSON exactly as Go's encoding/json writes it, for the bytes etcd stores and hashes: member
 * records in the db and WAL, and the v2 store in the .snap file (spec §5.6-5.7). JSON.stringify
 * differs in escaping (Go escapes <, >, &, U+2028/2029) and cannot print uint64 IDs, which
 * exceed 2^53: IDs are bigints printed as decimal numbers.
 */
import type { RestoreMember } from './member-id.js';

const HEX = '0123456789abcdef';

/**
 * A Go JSON string literal. Control characters other than \n \r \t become \u00XX (Go 1.19,
 * which built the etcd this is tested against; Go >= 1.22 writes \b and \f, equally valid
 * JSON); lone surrogates become \ufffd as Go does for invalid UTF-8.
 */
export function goJsonString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += value[i] + (value[i + 1] as string);
        i++;
      } else {
        out += '\\ufffd';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\\ufffd';
    } else if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) out += `\\u00${HEX[c >> 4]}${HEX[c & 15]}`;
    else if (c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16)}`;
    else out += value[i];
  }
  return `${out}"`;
}

/** A Go JSON array of strings. */
export function goJsonStrings(values: readonly string[]): string {
  return `[${values.map(goJsonString).join(',')}]`;
}

/**
 * etcd's membership.Member JSON as restore writes it: `id`, `peerURLs`, then `name` when not
 * empty (`isLearner` and `clientURLs` are omitempty and never set by restore).
 */
export function memberJson(member: RestoreMember): string {
  const name = member.name === '' ? '' : `,"name":${goJsonString(member.name)}`;
  return `{"id":${member.id.toString(10)},"peerURLs":${goJsonStrings(member.peerUrls)}${name}}`;
}

/** membership.RaftAttributes JSON, the value of `/0/members/<id>/raftAttributes` in the v2 store. */
export function raftAttributesJson(peerUrls: readonly string[]): string {
  return `{"peerURLs":${goJsonStrings(peerUrls)}}`;
}
