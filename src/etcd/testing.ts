/**
 * A fake EtcdClient for tests of code above the etcd layer: it streams given snapshot bytes
 * in chosen chunk sizes, can fail part-way like a killed member, and answers status and
 * member list from fixed values. Nothing here opens a connection.
 */
import { EtcdError } from './errors.js';
import type { EndpointStatus, EtcdClient, Member } from './types.js';

export interface FakeEtcdOptions {
  endpoint?: string;
  /** The whole stream as etcd sends it: bbolt image + 32-byte trailer. */
  snapshot?: Uint8Array;
  /** Sizes of the chunks, cycled; default 32 KiB like etcd. */
  chunkSizes?: readonly number[];
  /** Throw etcd-connection-lost after this many bytes, as when the member is killed. */
  failAfterBytes?: number;
  revision?: bigint;
  memberId?: bigint;
  members?: Member[];
}

export interface FakeEtcdClient extends EtcdClient {
  /** Number of snapshot streams started and closed so far. */
  readonly calls: { snapshot: number; closed: number };
}

export function fakeEtcdClient(options: FakeEtcdOptions = {}): FakeEtcdClient {
  const endpoint = options.endpoint ?? '127.0.0.1:2379';
  const memberId = options.memberId ?? 0x8e9e05c52164694dn;
  const header = { clusterId: 0xcdf818194e3a8c32n, memberId, revision: options.revision ?? 1n, raftTerm: 2n };
  const calls = { snapshot: 0, closed: 0 };
  const status: EndpointStatus = {
    endpoint, header, memberId, clusterId: header.clusterId, version: '3.4.23', dbSize: options.snapshot?.length ?? 0, dbSizeInUse: 0,
    leader: memberId, raftTerm: 2n, raftIndex: 4n, raftAppliedIndex: 4n, isLearner: false, errors: [],
    storageVersion: '', dbSizeQuota: 0,
  };
  const members = options.members ?? [{ id: memberId, name: 'default', peerURLs: ['http://localhost:2380'], clientURLs: [`http://${endpoint}`], isLearner: false }];
  const unsupported = () => Promise.reject(new Error('not supported by fakeEtcdClient'));
  return {
    endpoint,
    calls,
    async *snapshot(signal, streamOptions) {
      calls.snapshot++;
      const bytes = options.snapshot ?? new Uint8Array(0);
      const sizes = options.chunkSizes ?? [32 * 1024];
      streamOptions?.onTotalBytes?.(bytes.length);
      let offset = 0;
      for (let i = 0; offset < bytes.length; i++) {
        signal?.throwIfAborted();
        if (options.failAfterBytes !== undefined && offset >= options.failAfterBytes) {
          throw new EtcdError('etcd-connection-lost', `Cannot stream the snapshot: the connection to etcd at "${endpoint}" failed (fake)`, { endpoint, hint: 'Check that etcd is still running' });
        }
        const size = sizes[i % sizes.length] as number;
        yield bytes.subarray(offset, offset + size);
        offset += size;
      }
    },
    status: async () => status,
    memberList: async () => members,
    memberListWithHeader: async () => ({ header, members }),
    alarms: async () => [],
    range: unsupported,
    put: unsupported,
    deleteRange: unsupported,
    close() {
      calls.closed++;
    },
  };
}
