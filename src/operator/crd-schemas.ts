/**
 * The CustomResourceDefinitions (apiextensions.k8s.io/v1) of resources.ts, with structural
 * OpenAPI v3 schemas: required fields, patterns, enums, bounds, and CEL rules
 * (x-kubernetes-validations) for what one field's schema cannot say. The API server refuses an
 * invalid policy when it is applied, before the operator ever sees it. Pure data.
 */
import { BACKUP_TYPE, GROUP, POLICY_TYPE, VERSION } from './resources.js';

type Schema = Record<string, unknown>;

const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const int = (extra: Schema = {}): Schema => ({ type: 'integer', format: 'int64', ...extra });
const obj = (properties: Record<string, Schema>, required: string[] = [], extra: Schema = {}): Schema => ({ type: 'object', properties, ...(required.length ? { required } : {}), ...extra });

/** Durations in the config's units: 90s, 15m, 6h, 30d, 2w, 1h30m. */
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d|w))+$';
/** A cron expression of five fields, a macro, or "@every <duration>". */
export const SCHEDULE_PATTERN = '^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every ([0-9]+(ms|s|m|h|d|w))+|[0-9*,/a-zA-Z-]+( [0-9*,/a-zA-Z-]+){4})$';
/** s3://bucket[/folder] (bucket names as S3 allows them) or an absolute directory. */
export const REPOSITORY_URL_PATTERN = '^(s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/[^ ]*)?|/[^ ]*)$';
/** age X25519 recipients (kubekeeper keygen prints one). */
export const RECIPIENT_PATTERN = '^age1[02-9ac-hj-np-z]{58}$';
const SECRET_NAME = str({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$', maxLength: 253 });
const ABSOLUTE_PATH = str({ pattern: '^/', maxLength: 4096 });
const DURATION = str({ pattern: DURATION_PATTERN, maxLength: 32 });
const SCHEDULE = str({ pattern: SCHEDULE_PATTERN, maxLength: 128, description: 'Five-field cron (UTC), a macro such as @daily, or "@every 6h" (slots on a grid from the Unix epoch).' });
const KEEP = int({ minimum: 0, maximum: 100000 });

const condition = obj({
  type: str({ maxLength: 316 }), status: str({ enum: ['True', 'False', 'Unknown'] }), reason: str({ maxLength: 1024 }), message: str({ maxLength: 32768 }),
  lastTransitionTime: str({ format: 'date-time' }), observedGeneration: int({ minimum: 0 }),
}, ['type', 'status', 'lastTransitionTime']);

const policySpec = obj({
  schedule: SCHEDULE,
  suspend: { type: 'boolean', description: 'No backups are scheduled while true.' },
  etcd: obj({
    endpoints: { type: 'array', minItems: 1, maxItems: 16, items: str({ pattern: '^(https?://)?[^ /]+:[0-9]{1,5}$', maxLength: 256 }) },
    tlsSecretRef: obj({ name: SECRET_NAME }, ['name'], { description: 'A Secret with ca.crt, tls.crt and tls.key.' }),
    caFile: ABSOLUTE_PATH, certFile: ABSOLUTE_PATH, keyFile: ABSOLUTE_PATH,
    dialTimeout: DURATION, commandTimeout: DURATION,
  }, ['endpoints'], {
    'x-kubernetes-validations': [
      { rule: 'has(self.certFile) == has(self.keyFile)', message: 'certFile and keyFile must be given together' },
      { rule: '!(has(self.tlsSecretRef) && (has(self.caFile) || has(self.certFile)))', message: 'give tlsSecretRef or the host files (caFile, certFile, keyFile), not both' },
    ],
  }),
  repository: obj({
    url: str({ pattern: REPOSITORY_URL_PATTERN, maxLength: 1024, description: 's3://bucket/folder or an absolute directory in the operator\'s container.' }),
    s3: obj({ endpoint: str({ pattern: '^https?://[^ ]+$', maxLength: 1024 }), region: str({ maxLength: 64 }), pathStyle: { type: 'boolean' }, caBundle: str({ maxLength: 1048576, description: 'PEM certificates trusted for the endpoint.' }) }),
    credentialsSecretRef: obj({ name: SECRET_NAME }, ['name'], { description: 'A Secret with accessKeyId and secretAccessKey.' }),
    trustedSigners: { type: 'array', maxItems: 32, items: str({ pattern: '^kksign1[02-9ac-hj-np-z]+$', maxLength: 128 }) },
  }, ['url'], {
    'x-kubernetes-validations': [
      { rule: "self.url.startsWith('s3://') || (!has(self.s3) && !has(self.credentialsSecretRef))", message: 's3 and credentialsSecretRef need an s3:// url' },
    ],
  }),
  encryption: obj({ recipients: { type: 'array', minItems: 1, maxItems: 32, items: str({ pattern: RECIPIENT_PATTERN }) } }, ['recipients']),
  signing: obj({ keySecretRef: obj({ name: SECRET_NAME, key: str({ maxLength: 253 }) }, ['name']) }, ['keySecretRef'], { description: 'Sign every manifest (kubekeeper keygen --signing makes the key).' }),
  compression: str({ enum: ['zstd', 'gzip', 'none'] }),
  namePrefix: str({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,40}$' }),
  retention: obj({ keepLast: KEEP, keepWithin: DURATION, keepHourly: KEEP, keepDaily: KEEP, keepWeekly: KEEP, keepMonthly: KEEP, keepYearly: KEEP }),
  drill: obj({
    schedule: SCHEDULE,
    identitySecretRef: obj({ name: SECRET_NAME, key: str({ maxLength: 253 }) }, ['name'], { description: 'A Secret holding the age identity (key "identity" unless given).' }),
    expectKeys: { type: 'array', maxItems: 64, items: str({ maxLength: 1024 }) },
    etcdBinary: { ...ABSOLUTE_PATH, description: 'The etcd binary the drill starts (default: etcd on the PATH of the image).' },
    timeout: DURATION,
  }, ['schedule', 'identitySecretRef']),
  continuousDeltas: { type: 'boolean', description: 'Stream every etcd revision between snapshots into the repository as delta segments (point-in-time recovery); one streamer per etcd cluster. Status condition ContinuousDeltas.' },
  timeout: DURATION,
}, ['schedule', 'etcd', 'repository', 'encryption']);

const policyStatus = obj({
  observedGeneration: int(), conditions: { type: 'array', items: condition, 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] },
  lastBackup: str(), lastBackupTime: str({ format: 'date-time' }), lastSuccessfulBackupTime: str({ format: 'date-time' }), nextBackupTime: str({ format: 'date-time' }), backupCount: int(),
});

const backupSpec = obj({
  policyName: str(), backupName: str(), repository: str(), createdAt: str({ format: 'date-time' }), completedAt: str({ format: 'date-time' }),
  sizeBytes: int(), snapshotSizeBytes: int(), revision: int(), etcdVersion: str(), clusterId: str(), snapshotSha256: str(),
  encrypted: { type: 'boolean' }, signed: { type: 'boolean' }, verified: { type: 'boolean' },
}, ['policyName', 'backupName', 'createdAt'], {
  'x-kubernetes-validations': [{ rule: 'self == oldSelf', message: 'EtcdBackup objects are written by the operator and are read-only' }],
});

function crd(t: typeof POLICY_TYPE, singular: string, shortNames: string[], schema: Schema, columns: Schema[], status: boolean): Schema {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
    metadata: { name: `${t.plural}.${GROUP}`, labels: { 'app.kubernetes.io/name': 'kubekeeper' } },
    spec: {
      group: GROUP, scope: 'Namespaced',
      names: { plural: t.plural, singular, kind: t.kind, listKind: `${t.kind}List`, shortNames, categories: ['kubekeeper'] },
      versions: [{
        name: VERSION, served: true, storage: true,
        schema: { openAPIV3Schema: schema },
        ...(status ? { subresources: { status: {} } } : {}),
        additionalPrinterColumns: columns,
      }],
    },
  };
}

/** The two CRDs, EtcdBackupPolicy first. */
export function operatorCrds(): Schema[] {
  const policy = crd(POLICY_TYPE, 'etcdbackuppolicy', ['ebp'], obj({ apiVersion: str(), kind: str(), metadata: { type: 'object' }, spec: policySpec, status: policyStatus }, ['spec'], {
    'x-kubernetes-validations': [{ rule: "has(self.spec.namePrefix) || self.metadata.name.matches('^[a-z0-9][a-z0-9-]{0,40}$')", message: 'backup names start with the policy name: use at most 41 lowercase letters, digits and "-", or set spec.namePrefix' }],
  }), [
    { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
    { name: 'Ready', type: 'string', jsonPath: ".status.conditions[?(@.type=='Ready')].status" },
    { name: 'Last Backup', type: 'string', jsonPath: '.status.lastBackup' },
    { name: 'Backups', type: 'integer', jsonPath: '.status.backupCount' },
    { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  ], true);
  const backup = crd(BACKUP_TYPE, 'etcdbackup', ['eb'], obj({ apiVersion: str(), kind: str(), metadata: { type: 'object' }, spec: backupSpec }, ['spec']), [
    { name: 'Policy', type: 'string', jsonPath: '.spec.policyName' },
    { name: 'Created', type: 'date', jsonPath: '.spec.createdAt' },
    { name: 'Size', type: 'integer', jsonPath: '.spec.sizeBytes' },
    { name: 'Revision', type: 'integer', jsonPath: '.spec.revision' },
    { name: 'Signed', type: 'boolean', jsonPath: '.spec.signed' },
    { name: 'Verified', type: 'boolean', jsonPath: '.spec.verified' },
  ], false);
  return [policy, backup];
}
