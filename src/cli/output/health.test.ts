/** Golden test of the health renderer: output must equal test/fixtures/k8s/render/*.txt (UPDATE_GOLDEN=1 rewrites after review). */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import type { HealthReport } from '../../k8s/index.js';
import { renderHealthText } from './health.js';

const GOLDEN = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'render');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('renderHealthText lists each failed check and every problem when the cluster is unhealthy', () => {
  const report: HealthReport = {
    healthy: false,
    apiserver: [
      { endpoint: 'livez', statusCode: 200, healthy: true, checks: [{ name: 'ping', ok: true, excluded: false, detail: 'ok' }], failed: [], warnings: [], message: '' },
      { endpoint: 'readyz', statusCode: 500, healthy: false, checks: [{ name: 'etcd', ok: false, excluded: false, detail: 'failed: reason withheld' }], failed: ['etcd'], warnings: [], message: '' },
    ],
    nodes: [{ name: 'cp1', roles: ['control-plane'], ready: true, reason: undefined, unschedulable: false, kubeletVersion: 'v1.29.3' }, { name: 'w1', roles: [], ready: false, reason: 'NodeStatusUnknown', unschedulable: true, kubeletVersion: 'v1.29.3' }],
    controlPlane: { skipped: undefined, pods: [{ node: 'cp1', component: 'kube-apiserver', pod: 'kube-apiserver-cp1', phase: 'Running', ready: true }], problems: [] },
    etcd: {
      members: [{ id: 'a1', name: 'cp1', peerUrls: [], clientUrls: ['https://10.0.0.1:2379'], isLearner: false }],
      endpoints: [{ endpoint: 'https://10.0.0.1:2379', member: 'cp1', healthy: true, tookMs: 3.25, status: { memberId: 'a1', version: '3.5.12', dbSizeBytes: 25 * 1024 * 1024, leaderId: 'a1', raftTerm: 4, raftIndex: 900, isLearner: false, errors: [] }, error: undefined }],
      leader: 'a1', alarms: [], problems: [], notes: [],
    },
    problems: ['API server /readyz is not healthy (failed checks: etcd)', 'node "w1" is not Ready (NodeStatusUnknown)'],
    notes: ['node "w1" is cordoned'],
  };
  golden('health', renderHealthText(report));
});
