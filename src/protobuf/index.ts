export { ProtoWriter, ProtobufError, WireType, readFields, toInt64, type ProtoField } from './wire.js';
