export { parseRegistryKey, objectKey, resourceKeyPrefix, normalizeResource, REGISTRY_PREFIX, type ObjectKey } from './registry-key.js';
export { decodeValue, type DecodedValue } from './decode-value.js';
export { decodeObjectMeta, type ObjectMeta, type OwnerReference } from './object-meta.js';
export { decodeGenericProto, type ProtoMessage, type ProtoValue } from './generic-proto.js';
export { encodeObject, encodeEnvelope, encodeObjectMeta } from './encode-object.js';
export { sampleApp, sampleBase, sampleUid, type SampleApp, type SampleEntry } from './sample-cluster.js';
