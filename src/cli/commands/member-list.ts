/**
 * `kubekeeper member list`: Cluster.MemberList from the first healthy endpoint, in etcdctl's
 * simple, table or json format.
 */
import { connectEtcd } from '../../etcd/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';
import { MEMBER_FORMATS, renderMemberList, type MemberListFormat } from '../output/member-list.js';

export default defineCommand({
  name: 'member list',
  summary: 'List the members of the etcd cluster (like etcdctl member list)',
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(MEMBER_FORMATS, 'simple'),
  },
  async run({ flags, io, signal }) {
    const client = await connectEtcd(etcdOptionsFromFlags(flags), signal);
    try {
      io.stdout.write(renderMemberList(await client.memberListWithHeader(), flags['write-out'] as MemberListFormat));
    } finally {
      client.close();
    }
  },
});
