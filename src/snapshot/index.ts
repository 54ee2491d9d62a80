export { type RandomAccess, randomAccessFromBytes } from './random-access.js';
export { ChecksumMismatchError, TRAILER_BYTES, hasTrailer, verifyTrailerStream, type TrailerResult } from './trailer.js';
export { EtcdDataError, SnapshotFormatError, SnapshotLimitError, SnapshotMetaError, SnapshotPageError, SnapshotTruncatedError, type SnapshotLocation } from './errors.js';
export { openBolt, type BoltBucket, type BoltDb, type BoltEntry, type BoltMeta } from './bolt-reader.js';
export { snapshotStatus, type SnapshotStatus } from './status.js';
export { formatSizeSI } from './humanize.js';
export { crc32c } from './crc32c.js';
export { fnv1a64 } from './fnv.js';
export { ETCD_BUCKETS, REQUIRED_BUCKETS, decodeKeyValue, decodeLease, decodeRevisionKey, type KeyValue, type Lease, type Revision } from './etcd-buckets.js';
