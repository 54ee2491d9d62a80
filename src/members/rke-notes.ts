/**
 * RKE runs etcd in a Docker container it manages from cluster.yml: kubekeeper does not start,
 * stop or reconfigure those containers. For RKE the member runbooks only print their steps,
 * with what RKE itself offers for the same job.
 */
import type { MemberSession } from './member-session.js';

const NOTES = {
  replace: [
    'RKE reconciles etcd members from cluster.yml on "rke up": remove the failed node from nodes: (or its etcd role) and run "rke up",',
    'then add the new node with role etcd and run "rke up" again; RKE issues its kube-etcd-<ip> certificate itself.',
    'To do it by hand instead, follow the steps below: start the "etcd" container on the new node with the printed flags.',
  ],
  recover: [
    'RKE restores a snapshot on every etcd node with "rke etcd snapshot-restore --config cluster.yml --name <snapshot>" (it stops the',
    'control plane and etcd containers itself); snapshots are in /opt/rke/etcd-snapshots or the configured S3 bucket.',
    'To do it by hand instead (e.g. from a kubekeeper backup), follow the steps below; "docker stop etcd" on every etcd node first.',
  ],
} as const;

/** Emits the RKE notes, then the plan; nothing is changed. */
export function emitRkeNotes(session: MemberSession, runbook: keyof typeof NOTES): void {
  session.emit({ type: 'instructions', title: 'RKE (etcd in Docker): kubekeeper only prints the steps', lines: [...NOTES[runbook]] });
}
