/**
 * `kubekeeper move-leader <member-id>`: transfers the leadership to the member with that hex
 * ID (as `member list` shows it), like etcdctl. The request goes to the leader: found among
 * --endpoints, else through the member list.
 */
import { connectMaintenance, openMaintenanceClient, type ResponseHeader } from '../../etcd/index.js';
import { AppError, UsageError } from '../../errors.js';
import { readMembership } from '../../maintenance/index.js';
import { defineCommand, writeOutFlag } from '../command.js';
import { headerJson } from '../output/endpoint-status.js';
import { goJsonObject } from '../output/go-format.js';
import { etcdFlags, etcdOptionsFromFlags } from '../etcd-flags.js';

export default defineCommand({
  name: 'move-leader',
  summary: 'Transfer the etcd leadership to another member (like etcdctl move-leader)',
  args: '<transferee-member-id>',
  minArgs: 1,
  maxArgs: 1,
  flags: {
    ...etcdFlags,
    'write-out': writeOutFlag(['simple', 'json'], 'simple'),
  },
  async run({ args, flags, io, signal }) {
    const text = args[0] as string;
    if (!/^[0-9a-fA-F]{1,16}$/.test(text)) throw new UsageError(`"${text}" is not a member ID (hex, as "kubekeeper member list" shows it)`, 'Run "kubekeeper member list" to see the member IDs');
    const target = BigInt(`0x${text}`);
    const options = etcdOptionsFromFlags(flags);
    const { members } = await readMembership(options, signal);
    if (!members.some((m) => m.id === target)) throw new UsageError(`No member has ID ${text}`, 'Run "kubekeeper member list" to see the member IDs');
    const probe = await connectMaintenance(options, signal);
    const leaderId = await probe.status().then((s) => s.leader).finally(() => probe.close());
    const leader = members.find((m) => m.id === leaderId);
    const endpoint = leader?.clientURLs[0];
    if (leaderId === 0n || endpoint === undefined) {
      throw new AppError('etcd-no-leader', `Cannot find the leader's endpoint at ${options.endpoints.join(',')}`, { hint: 'Check "kubekeeper endpoint status --cluster"' });
    }
    if (leaderId === target) throw new AppError('etcd-already-leader', `Member ${text} is already the leader`, { hint: 'Pick a follower from "kubekeeper member list"' });
    const client = await openMaintenanceClient({ ...options, endpoints: [endpoint] }, endpoint, signal);
    let header: ResponseHeader | undefined;
    try {
      header = await client.moveLeader(target);
    } finally {
      client.close();
    }
    // etcdctl's json is the MoveLeaderResponse, whose header etcd leaves out: "{}".
    if (flags['write-out'] === 'json') io.stdout.write(`${goJsonObject([['header', header && headerJson(header)]])}\n`);
    else io.stdout.write(`Leadership transferred from ${leaderId.toString(16)} to ${target.toString(16)}\n`);
  },
});
