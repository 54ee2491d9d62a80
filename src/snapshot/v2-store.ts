/**
 * The etcd v2 store that restore puts in the .snap file (spec §5.7): a fresh store holding
 * one `raftAttributes` leaf per new member. etcd 3.4 rebuilds its membership from this JSON on
 * start, so it must be what Go's json.Marshal of the store gives, field order, key order and
 * the 1000-slot event ring included.
 */
import { goJsonString, raftAttributesJson } from './go-json.js';
import { formatId, type RestoreMember } from './member-id.js';
import { compareBytewise } from './member-id-url.js';

/** Capacity of the v2 store's event history ring (etcd's watcherHub). */
const EVENT_HISTORY_CAPACITY = 1000;
/** Go's zero time.Time: "permanent" nodes. */
const PERMANENT = '0001-01-01T00:00:00Z';

interface V2Node {
  path: string;
  index: number;
  value?: string;
  children?: Map<string, V2Node>;
}

function nodeJson(node: V2Node): string {
  let children = 'null';
  if (node.children) {
    const keys = [...node.children.keys()].sort(compareBytewise);
    children = `{${keys.map((k) => `${goJsonString(k)}:${nodeJson(node.children?.get(k) as V2Node)}`).join(',')}}`;
  }
  return `{"Path":${goJsonString(node.path)},"CreatedIndex":${node.index},"ModifiedIndex":${node.index},`
    + `"ExpireTime":"${PERMANENT}","Value":${goJsonString(node.value ?? '')},"Children":${children}}`;
}

/**
 * The v2 store JSON after creating each member's raftAttributes, members in the given order
 * (ascending ID), the i-th (1-based) at store index i.
 */
export function encodeV2Store(members: readonly RestoreMember[]): string {
  const n = members.length;
  if (n === 0 || n >= EVENT_HISTORY_CAPACITY) throw new RangeError(`A restored cluster needs 1 to ${EVENT_HISTORY_CAPACITY - 1} members, got ${n}`);
  const membersDir: V2Node = { path: '/0/members', index: 1, children: new Map() };
  const events: string[] = [];
  members.forEach((member, i) => {
    const index = i + 1;
    const hex = formatId(member.id);
    const key = `/0/members/${hex}/raftAttributes`;
    const value = raftAttributesJson(member.peerUrls);
    membersDir.children?.set(hex, {
      path: `/0/members/${hex}`, index, children: new Map([['raftAttributes', { path: key, index, value }]]),
    });
    events.push(`{"action":"create","node":{"key":${goJsonString(key)},"value":${goJsonString(value)},"modifiedIndex":${index},"createdIndex":${index}}}`);
  });
  const root: V2Node = {
    path: '/', index: 0, children: new Map([
      ['0', { path: '/0', index: 0, children: new Map([['members', membersDir]]) }],
      ['1', { path: '/1', index: 0, children: new Map() }],
    ]),
  };
  const slots = [...events, ...Array<string>(EVENT_HISTORY_CAPACITY - n).fill('null')];
  const stats = ['getsSuccess', 'getsFail', 'setsSuccess', 'setsFail', 'deleteSuccess', 'deleteFail', 'updateSuccess',
    'updateFail', 'createSuccess', 'createFail', 'compareAndSwapSuccess', 'compareAndSwapFail',
    'compareAndDeleteSuccess', 'compareAndDeleteFail', 'expireCount', 'watchers']
    .map((name) => `"${name}":${name === 'createSuccess' ? n : 0}`).join(',');
  return `{"Root":${nodeJson(root)},`
    + `"WatcherHub":{"EventHistory":{"Queue":{"Events":[${slots.join(',')}],"Size":${n},"Front":0,"Back":${n},"Capacity":${EVENT_HISTORY_CAPACITY}},"StartIndex":1,"LastIndex":${n}}},`
    + `"CurrentIndex":${n},"Stats":{${stats}},"CurrentVersion":2}`;
}
