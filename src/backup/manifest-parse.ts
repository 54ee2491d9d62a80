/**
 * Parses and checks a manifest read from a repository. Everything is checked before use:
 * field types, hex digests, sizes as safe integers, and that every object it names belongs
 * to this backup by our naming scheme, so a tampered manifest cannot point prune or
 * delete at someone else's objects.
 */
import { COMPRESSIONS } from '../crypto/index.js';
import {
  type BackupObject, type BundleFile, type Manifest, MANIFEST_FORMAT, MAX_MANIFEST_BYTES, ManifestError, backupNameOfObject, isValidBackupName,
} from './manifest.js';

type Json = Record<string, unknown>;

const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{1,16}$/;

/** Parses `bytes` as the manifest of backup `name`; throws ManifestError naming the first problem. */
export function parseManifest(bytes: Uint8Array, name: string): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new ManifestError(name, `${bytes.length} bytes is larger than ${MAX_MANIFEST_BYTES}`);
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ManifestError(name, `not JSON (${(err as Error).message})`);
  }
  const fail = (problem: string): never => {
    throw new ManifestError(name, problem);
  };
  const obj = (v: unknown, field: string): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : fail(`${field} is not an object`));
  const str = (o: Json, field: string, re?: RegExp): string => {
    const v = o[field];
    if (typeof v !== 'string' || (re && !re.test(v))) fail(`${field} is missing or malformed`);
    return v as string;
  };
  const int = (o: Json, field: string): number => {
    const v = o[field];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${field} is not a non-negative integer`);
    return v as number;
  };
  const time = (o: Json, field: string): string => {
    const v = str(o, field);
    if (Number.isNaN(Date.parse(v))) fail(`${field} is not a time`);
    return v;
  };

  const m = obj(raw, 'manifest');
  if (m.format !== MANIFEST_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  const manifestName = str(m, 'name');
  if (!isValidBackupName(manifestName) || manifestName !== name) fail(`name "${manifestName}" does not match the manifest's object name`);

  const c = obj(m.cluster, 'cluster');
  const cluster: Manifest['cluster'] = {
    clusterId: str(c, 'clusterId', HEX16), memberId: str(c, 'memberId', HEX16), endpoint: str(c, 'endpoint'),
    etcdVersion: str(c, 'etcdVersion'), revision: int(c, 'revision'), dbSizeBytes: int(c, 'dbSizeBytes'),
  };
  if (c.memberName !== undefined) cluster.memberName = str(c, 'memberName');
  if (c.raftTerm !== undefined) cluster.raftTerm = int(c, 'raftTerm');

  const s = obj(m.snapshot, 'snapshot');
  const snapshot = { sizeBytes: int(s, 'sizeBytes'), sha256: str(s, 'sha256', HEX64), dbSha256: str(s, 'dbSha256', HEX64) };

  const isCompression = (v: unknown): v is Manifest['compression'] => typeof v === 'string' && (COMPRESSIONS as readonly string[]).includes(v);
  const compression = m.compression;
  if (!isCompression(compression)) fail('compression is unknown');
  const e = obj(m.encryption, 'encryption');
  let encryption: Manifest['encryption'];
  if (e.scheme === 'none') encryption = { scheme: 'none' };
  else if (e.scheme === 'age' && Array.isArray(e.recipients) && e.recipients.every((r) => typeof r === 'string') && e.recipients.length > 0) {
    encryption = { scheme: 'age', recipients: e.recipients as string[] };
  } else encryption = fail('encryption is malformed');

  if (!Array.isArray(m.objects) || m.objects.length === 0) fail('objects is empty');
  const objects = (m.objects as unknown[]).map((v, i): BackupObject => {
    const o = obj(v, `objects[${i}]`);
    const role = o.role === 'snapshot' || o.role === 'bundle' ? o.role : fail(`objects[${i}].role is unknown`);
    const objectName = str(o, 'name');
    // Only objects named after this backup: prune and delete must never reach further.
    if (backupNameOfObject(objectName) !== name) fail(`objects[${i}].name "${objectName}" does not belong to backup "${name}"`);
    // Absent per-object compression means the backup's codec.
    const objectCompression = o.compression === undefined ? compression : o.compression;
    if (!isCompression(objectCompression)) fail(`objects[${i}].compression is unknown`);
    return {
      role, name: objectName, compression: objectCompression as Manifest['compression'], sizeBytes: int(o, 'sizeBytes'), sha256: str(o, 'sha256', HEX64),
      contentSizeBytes: int(o, 'contentSizeBytes'), contentSha256: str(o, 'contentSha256', HEX64),
    };
  });
  if (objects.filter((o) => o.role === 'snapshot').length !== 1) fail('there must be exactly one snapshot object');
  if (objects.filter((o) => o.role === 'bundle').length > 1) fail('there is more than one bundle object');

  const manifest: Manifest = {
    format: MANIFEST_FORMAT, name, createdAt: time(m, 'createdAt'), completedAt: time(m, 'completedAt'), cluster, snapshot,
    compression: compression as Manifest['compression'], encryption, objects, kubekeeperVersion: str(m, 'kubekeeperVersion'),
  };
  if (m.bundle !== undefined) {
    const b = obj(m.bundle, 'bundle');
    if (!Array.isArray(b.files)) fail('bundle.files is not a list');
    manifest.bundle = { files: (b.files as unknown[]).map((v, i) => parseBundleFile(obj(v, `bundle.files[${i}]`), str, int, fail, i)) };
  }
  return manifest;
}

function parseBundleFile(
  f: Json, str: (o: Json, f: string, re?: RegExp) => string, int: (o: Json, f: string) => number, fail: (p: string) => never, i: number,
): BundleFile {
  const type = f.type === 'file' || f.type === 'directory' || f.type === 'symlink' ? f.type : fail(`bundle.files[${i}].type is unknown`);
  const file: BundleFile = { path: str(f, 'path'), type, mode: int(f, 'mode'), sizeBytes: int(f, 'sizeBytes') };
  if (f.sha256 !== undefined) file.sha256 = str(f, 'sha256', HEX64);
  if (f.linkTarget !== undefined) file.linkTarget = str(f, 'linkTarget');
  return file;
}
