/**
 * The file side of `--kubeadm-manifest`: read and plan before the restore (so an unknown
 * manifest or a running API server stops everything early), write after it. The original is
 * kept beside the manifests folder, not in it: kubelet runs every non-hidden file there, and
 * a second etcd.yaml would start a second etcd. The new manifest replaces the old atomically
 * through a hidden temporary file in the same folder (kubelet skips hidden files).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError, messageOf } from '../errors.js';
import type { EtcdManifestEdit, ManifestChange } from '../k8s/index.js';
import { fsError, fsyncDir } from './snapshot-restore-target.js';

export interface ManifestReport {
  path: string;
  /** Where the original is (or, in a dry run, would be) kept; undefined when nothing changes. */
  backupPath: string | undefined;
  changes: ManifestChange[];
  diff: string;
  written: boolean;
}

export interface PreparedManifestEdit {
  path: string;
  edit: EtcdManifestEdit;
  mode: number;
  backupPath: string;
  report(dryRun: boolean): ManifestReport;
}

/** `20261120T223100Z`: sortable, no colons (safe in any file name). */
function stamp(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Reads, checks and plans the edit; throws before anything is restored when it cannot be done. */
export async function prepareManifestEdit(manifestPath: string, dataDir: string, now = new Date()): Promise<PreparedManifestEdit> {
  // Loaded on demand: k8s/ brings the Kubernetes client, ~1 s of start-up every other
  // restore (and every user of backup/) would pay for nothing.
  const { checkApiServerStopped, planEtcdManifestEdit } = await import('../k8s/index.js');
  const file = path.resolve(manifestPath);
  const text = await readFile(file, 'utf8').catch((err: unknown) => { throw fsError('reading the manifest', file, err); });
  const info = await stat(file);
  const folder = path.dirname(file);
  checkApiServerStopped(file, await readdir(folder));
  const edit = planEtcdManifestEdit(file, text, dataDir);
  const backupPath = path.join(path.dirname(folder), `${path.basename(file)}.before-restore-${stamp(now)}`);
  return {
    path: file,
    edit,
    mode: info.mode & 0o777,
    backupPath,
    report: (dryRun) => ({
      path: file,
      backupPath: edit.changes.length > 0 ? backupPath : undefined,
      changes: edit.changes,
      diff: edit.diff,
      written: !dryRun && edit.changes.length > 0,
    }),
  };
}

function writeSynced(file: string, text: string, mode: number): void {
  const fd = openSync(file, 'wx', mode);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let done = 0; done < bytes.length;) done += writeSync(fd, bytes, done, bytes.length - done, done);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Keeps the original next to the folder, then swaps the manifest in atomically. */
export async function applyManifestEdit(prepared: PreparedManifestEdit): Promise<ManifestReport> {
  const { edit } = prepared;
  if (edit.changes.length === 0) return prepared.report(false);
  const current = await readFile(prepared.path, 'utf8').catch((err: unknown) => { throw fsError('reading the manifest', prepared.path, err); });
  if (current !== edit.original) {
    throw new AppError('etcd-manifest-changed', `The data dir was restored, but "${prepared.path}" changed during the restore and was left as it is`, {
      hint: `Point the etcd-data hostPath of "${prepared.path}" at the restored dir by hand`,
    });
  }
  const folder = path.dirname(prepared.path);
  const temp = path.join(folder, `.${path.basename(prepared.path)}.kubekeeper-${randomBytes(4).toString('hex')}`);
  try {
    writeSynced(prepared.backupPath, edit.original, 0o600);
    fsyncDir(path.dirname(prepared.backupPath));
    writeSynced(temp, edit.updated, prepared.mode);
    await rename(temp, prepared.path);
    fsyncDir(folder);
  } catch (err) {
    await rm(temp, { force: true });
    throw new AppError('etcd-manifest-write', `The data dir was restored, but updating "${prepared.path}" failed: ${messageOf(err)}`, {
      hint: `Point the etcd-data hostPath of "${prepared.path}" at the restored dir by hand`,
      cause: err,
    });
  }
  return prepared.report(false);
}
