import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeByTime, type TimedSource } from './merge.js';

interface Item {
  key: number;
  src: string;
}

function source(name: string, keys: number[], log: string[], closed: string[] = []): TimedSource<Item> {
  return {
    firstKey: keys[0] ?? Infinity,
    open() {
      log.push(`open ${name}`);
      const gen = (async function* () {
        try {
          for (const key of keys) {
            log.push(`${name}:${key}`);
            yield { key, src: name };
          }
        } finally {
          closed.push(name);
        }
      })();
      return gen;
    },
  };
}

async function collect(it: AsyncIterable<Item>): Promise<string[]> {
  const out: string[] = [];
  for await (const i of it) out.push(`${i.src}${i.key}`);
  return out;
}

test('mergeByTime interleaves overlapping sources by key', async () => {
  const log: string[] = [];
  const merged = await collect(mergeByTime([source('a', [1, 4, 7], log), source('b', [2, 3, 8], log), source('c', [5], log)], (i) => i.key));
  assert.deepEqual(merged, ['a1', 'b2', 'b3', 'a4', 'c5', 'a7', 'b8']);
});

test('mergeByTime opens a rotated file only when the merge reaches its first timestamp', async () => {
  const log: string[] = [];
  const sources = [source('new', [20, 21], log), source('old', [10, 11], log)];
  const merged = await collect(mergeByTime(sources, (i) => i.key));
  assert.deepEqual(merged, ['old10', 'old11', 'new20', 'new21']);
  assert.deepEqual(log.slice(0, 4), ['open old', 'old:10', 'old:11', 'open new']);
});

test('mergeByTime keeps the sources\' order when keys are equal', async () => {
  const merged = await collect(mergeByTime([source('a', [1, 1], []), source('b', [1], [])], (i) => i.key));
  assert.deepEqual(merged, ['a1', 'a1', 'b1']);
});

test('mergeByTime closes open sources when the consumer stops early', async () => {
  const closed: string[] = [];
  const it = mergeByTime([source('a', [1, 3, 5], [], closed), source('b', [2, 4], [], closed)], (i) => i.key);
  for await (const item of it) if (item.key === 2) break;
  assert.deepEqual(closed.sort(), ['a', 'b']);
});

test('mergeByTime yields nothing for no sources or empty ones', async () => {
  assert.deepEqual(await collect(mergeByTime([], (i: Item) => i.key)), []);
  assert.deepEqual(await collect(mergeByTime([source('e', [], [])], (i) => i.key)), []);
});
