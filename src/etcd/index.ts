export type { EtcdConnectOptions } from './connect-options.js';
export type { Alarm, AlarmType, EndpointHealth, EndpointStatus, EtcdClient, KeyValue, Member, MemberList, RangeOptions, RangeResult, ResponseHeader, SnapshotStreamOptions } from './types.js';
export { connectEtcd, getEndpointStatus, openEtcdClient } from './connect.js';
export { checkEndpointHealth } from './health.js';
export { CONNECTIVITY_CODES, EtcdError } from './errors.js';
export { parseEndpoint, type ParsedEndpoint } from './endpoint.js';
export { FLOW_CONTROL_WINDOW_BYTES } from './grpc-channel.js';
export { ELECTION_TTL_SECONDS, campaign, electionKey, newIdentity, type CampaignOptions, type CampaignResult, type Leadership } from './election.js';
