/** What `health` needs: the API server's health endpoints, nodes and kube-system pods, and optionally etcd. */
import type { Node, Pod } from '../types.js';

export interface HealthEndpointReply {
  statusCode: number;
  body: string;
}

export interface HealthApi {
  /** GET /livez?verbose or /readyz?verbose. Resolves for every HTTP status (500 = unhealthy). */
  getHealthEndpoint(endpoint: 'livez' | 'readyz'): Promise<HealthEndpointReply>;
  listNodes(): Promise<Node[]>;
  listPods(namespace: string, labelSelector: string): Promise<Pod[]>;
}

/** One etcd member as `etcdctl member list` shows it. IDs are hex strings as etcdctl prints them. */
export interface EtcdMemberInfo {
  id: string;
  name: string;
  peerUrls: string[];
  clientUrls: string[];
  isLearner: boolean;
}

/** One endpoint's status as `etcdctl endpoint status` shows it. */
export interface EtcdEndpointStatus {
  memberId: string;
  version: string;
  dbSizeBytes: number;
  /** "0" when the member knows no leader. */
  leaderId: string;
  raftTerm: number;
  raftIndex: number;
  isLearner: boolean;
  errors: string[];
}

/** The etcd side of `health`; the CLI adapts kubekeeper's etcd client to it. */
export interface EtcdHealthSource {
  /** The endpoints given on the command line (used when the member list is unavailable). */
  endpoints: string[];
  memberList(): Promise<EtcdMemberInfo[]>;
  /** etcdctl endpoint health: a linearizable read through this endpoint. */
  endpointHealth(endpoint: string): Promise<{ healthy: boolean; tookMs: number; error?: string }>;
  endpointStatus(endpoint: string): Promise<EtcdEndpointStatus>;
  /** Active alarms (NOSPACE, CORRUPT), cluster-wide. */
  alarms(): Promise<Array<{ memberId: string; alarm: string }>>;
}
