/** Golden test of the review renderer: output must equal test/fixtures/k8s/render/*.txt (UPDATE_GOLDEN=1 rewrites after review). */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../../../test/support/paths.js';
import { reviewClusterFile } from '../../k8s/index.js';
import { renderReviewText } from './review.js';

const GOLDEN = path.join(repoRoot, 'test', 'fixtures', 'k8s', 'render');

function golden(name: string, actual: string): void {
  const file = path.join(GOLDEN, `${name}.txt`);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.equal(actual, readFileSync(file, 'utf8'));
}

test('renderReviewText prints severity, file:line, path, rule, why and fix for each finding', () => {
  const text = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'rke', 'legacy-single-etcd.yml'), 'utf8');
  golden('review', renderReviewText(reviewClusterFile(text, 'cluster.yml')));
});
