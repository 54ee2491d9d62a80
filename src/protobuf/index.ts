export { ProtoWriter, ProtobufError, WireType, readFields, readPackedVarints, toInt64, type ProtoField } from './wire.js';
export { FieldReader } from './field-reader.js';
