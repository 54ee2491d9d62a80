/**
 * Dependency rules from STYLE.md: cli -> operator -> daemon -> backup -> {etcd, snapshot, crypto, storage, schedule};
 * operator (the in-cluster controller) composes daemon, backup and k8s, and nothing below imports it;
 * members (the etcd member runbooks) composes etcd, backup, certs and k8s beside daemon; only cli imports it;
 * maintenance (defrag, hash checks) sits beside backup: cli -> daemon -> maintenance -> etcd;
 * pure modules import nothing with I/O; no cycles; other folders go through a domain's index.ts.
 */
const domains = ['protobuf', 'inspect', 'snapshot', 'etcd', 'storage', 'crypto', 'schedule', 'backup', 'maintenance', 'k8s', 'certs', 'audit', 'members', 'dashboard', 'daemon', 'operator', 'cli'];

const forbidden = [
  { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  {
    name: 'pure-snapshot-schedule', severity: 'error',
    comment: 'protobuf/, snapshot/ and schedule/ are pure: no fs, no net',
    from: { path: '^src/(protobuf|snapshot|schedule)/', pathNot: '\\.test\\.ts$|/testing\\.ts$' },
    to: { path: '^(fs|fs/promises|net|http|https|http2|tls|child_process|dgram)$', dependencyTypes: ['core'] },
  },
  {
    name: 'low-level-domains-stay-low', severity: 'error',
    comment: 'etcd, snapshot, storage, crypto and schedule never import the use-case layers above them',
    from: { path: '^src/(protobuf|etcd|snapshot|storage|crypto|schedule)/' },
    to: { path: '^src/(backup|maintenance|daemon|cli|k8s|certs|audit|inspect|members|dashboard)/' },
  },
  {
    name: 'backup-below-daemon-cli', severity: 'error',
    from: { path: '^src/backup/' },
    to: { path: '^src/(daemon|cli|members|dashboard)/' },
  },
  {
    name: 'dashboard-below-daemon-cli', severity: 'error',
    comment: 'the dashboard reads backups, certificates and etcd; the daemon and the CLI compose it',
    from: { path: '^src/dashboard/' },
    to: { path: '^src/(daemon|cli|members|operator)/' },
  },
  {
    name: 'maintenance-below-daemon-cli', severity: 'error',
    comment: 'maintenance uses etcd only; it never reaches up to the daemon or the CLI, nor sideways into backup',
    from: { path: '^src/maintenance/' },
    to: { path: '^src/(backup|daemon|cli|k8s|certs|audit|inspect|members|dashboard)/' },
  },
  {
    name: 'daemon-below-cli', severity: 'error',
    from: { path: '^src/(daemon|maintenance|k8s|certs|audit|inspect|operator|members)/' },
    to: { path: '^src/cli/' },
  },
  {
    name: 'operator-on-top', severity: 'error',
    comment: 'only cli/ imports the operator domain',
    from: { path: '^src/', pathNot: '^src/(operator|cli)/' },
    to: { path: '^src/operator/' },
  },
  {
    name: 'domain-through-index', severity: 'error',
    comment: 'other folders import a domain through its index.ts',
    from: { path: '^src/([^/]+)/', pathNot: '\\.test\\.ts$' },
    to: {
      path: `^src/(${domains.join('|')})/.+`,
      pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/[^/]+/testing\\.ts$'],
    },
  },
];

module.exports = {
  forbidden,
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js'] },
  },
};
