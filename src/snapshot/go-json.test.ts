import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goJsonString, memberJson, raftAttributesJson } from './go-json.js';

test('memberJson writes the restore example of spec §5.6 with a uint64 ID above 2^53', () => {
  assert.equal(memberJson({ id: 10276657743932975437n, name: 'default', peerUrls: ['http://localhost:2380'] }),
    '{"id":10276657743932975437,"peerURLs":["http://localhost:2380"],"name":"default"}');
});

test('memberJson omits the name when it is empty', () => {
  assert.equal(memberJson({ id: 1n, name: '', peerUrls: ['http://a:1'] }), '{"id":1,"peerURLs":["http://a:1"]}');
});

test('raftAttributesJson lists the peer URLs only', () => {
  assert.equal(raftAttributesJson(['http://a:1', 'http://b:2']), '{"peerURLs":["http://a:1","http://b:2"]}');
});

test('goJsonString escapes like Go when the text has HTML, control and separator characters', () => {
  assert.equal(goJsonString('a<b>&"\\\n\r\t\u0001\u001f'), '"a\\u003cb\\u003e\\u0026\\"\\\\\\n\\r\\t\\u0001\\u001f"');
  assert.equal(goJsonString('x\u2028y\u2029'), '"x\\u2028y\\u2029"');
  assert.equal(goJsonString('é😀'), '"é😀"');
  assert.equal(goJsonString('a\ud800b'), '"a\\ufffdb"');
});
