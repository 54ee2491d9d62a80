import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderVerifyReport } from './snapshot-verify.js';

const report = {
  ok: false,
  checks: [
    { name: 'trailer' as const, ok: true, skipped: true, detail: 'no sha256 trailer' },
    { name: 'structure' as const, ok: false, detail: 'Page 7 is referenced more than once', pageId: 5, offset: 20504 },
    { name: 'leases' as const, ok: true, detail: '1 leases', pageId: 3 },
  ],
};

test('renderVerifyReport lists each check and where a failed one found its problem when the format is text', () => {
  assert.equal(renderVerifyReport('s.db', report, 'text'), [
    'skip  trailer    no sha256 trailer',
    'FAIL  structure  Page 7 is referenced more than once [at page 5, offset 20504]',
    'ok    leases     1 leases',
    'Snapshot "s.db" failed 1 check: structure',
    '',
  ].join('\n'));
});

test('renderVerifyReport prints one JSON document with the file name when the format is json', () => {
  const parsed = JSON.parse(renderVerifyReport('s.db', report, 'json')) as { file: string; ok: boolean; checks: unknown[] };
  assert.equal(parsed.file, 's.db');
  assert.equal(parsed.ok, false);
  assert.equal(parsed.checks.length, 3);
});
