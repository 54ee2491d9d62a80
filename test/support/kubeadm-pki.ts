/**
 * A kubeadm-like /etc/kubernetes tree for certificate tests, made with openssl (not with
 * kubekeeper's own code, so the reader is checked against an independent issuer): the three
 * CAs, every leaf with kubeadm's names, subjects, SANs and usages (spec §2.2), the kubeconfigs
 * with embedded credentials, kubelet.conf pointing at a rotating PEM, sa.key/sa.pub and two
 * static pod manifests carrying the advertise address. Per-certificate overrides make
 * certificates near expiry, expired, with a wrong key, or without the node's SAN.
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPair } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export type FixtureKeyType = 'rsa' | 'ecdsa';

export interface CertOverride {
  notBefore?: Date;
  notAfter?: Date;
  /** Write a freshly generated key that does not belong to the certificate. */
  mismatchedKey?: boolean;
  /** Leave the node's advertise address out of the SANs. */
  withoutNodeIp?: boolean;
  /** Sign with this CA instead of the right one (e.g. 'front-proxy-ca' for an apiserver cert). */
  signedBy?: 'ca' | 'etcd-ca' | 'front-proxy-ca';
}

export interface KubeadmPkiOptions {
  keyType?: FixtureKeyType;
  nodeName?: string;
  advertiseAddress?: string;
  now?: Date;
  /** Pre-1.29 subjects: `system:masters` on admin.conf and the etcd/kubelet clients. */
  legacyOrganizations?: boolean;
  /** Encode names as PrintableString (Go's choice) instead of openssl's default UTF8String. */
  printableStrings?: boolean;
  externalEtcd?: boolean;
  withoutSuperAdmin?: boolean;
  /** Remove ca.key after issuing: the CA is externally managed. */
  externalCa?: boolean;
  caNotAfter?: Partial<Record<'ca' | 'etcd-ca' | 'front-proxy-ca', Date>>;
  overrides?: Record<string, CertOverride>;
}

export interface KubeadmPki {
  root: string;
  pkiDir: string;
  kubeconfigDir: string;
  manifestsDir: string;
  nodeName: string;
  advertiseAddress: string;
  keyType: FixtureKeyType;
}

const DAY_MS = 86_400_000;

interface LeafSpec {
  name: string;
  file: string;
  ca: 'ca' | 'etcd-ca' | 'front-proxy-ca';
  cn: string;
  orgs: string[];
  eku: string;
  dns: string[];
  ips: string[];
  kubeconfig?: boolean;
}

function leafSpecs(o: Required<Pick<KubeadmPkiOptions, 'nodeName' | 'advertiseAddress' | 'legacyOrganizations'>>): LeafSpec[] {
  const admins = o.legacyOrganizations ? ['system:masters'] : ['kubeadm:cluster-admins'];
  const legacy = o.legacyOrganizations ? ['system:masters'] : [];
  const etcdDns = [o.nodeName, 'localhost'];
  const etcdIps = [o.advertiseAddress, '127.0.0.1', '::1'];
  return [
    { name: 'apiserver', file: 'apiserver', ca: 'ca', cn: 'kube-apiserver', orgs: [], eku: 'serverAuth',
      dns: [o.nodeName, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips: ['10.96.0.1', o.advertiseAddress] },
    { name: 'apiserver-kubelet-client', file: 'apiserver-kubelet-client', ca: 'ca', cn: 'kube-apiserver-kubelet-client', orgs: admins, eku: 'clientAuth', dns: [], ips: [] },
    { name: 'front-proxy-client', file: 'front-proxy-client', ca: 'front-proxy-ca', cn: 'front-proxy-client', orgs: [], eku: 'clientAuth', dns: [], ips: [] },
    { name: 'etcd-server', file: 'etcd/server', ca: 'etcd-ca', cn: o.nodeName, orgs: [], eku: 'serverAuth,clientAuth', dns: etcdDns, ips: etcdIps },
    { name: 'etcd-peer', file: 'etcd/peer', ca: 'etcd-ca', cn: o.nodeName, orgs: [], eku: 'serverAuth,clientAuth', dns: etcdDns, ips: etcdIps },
    { name: 'etcd-healthcheck-client', file: 'etcd/healthcheck-client', ca: 'etcd-ca', cn: 'kube-etcd-healthcheck-client', orgs: legacy, eku: 'clientAuth', dns: [], ips: [] },
    { name: 'apiserver-etcd-client', file: 'apiserver-etcd-client', ca: 'etcd-ca', cn: 'kube-apiserver-etcd-client', orgs: legacy, eku: 'clientAuth', dns: [], ips: [] },
    { name: 'admin.conf', file: 'admin.conf', ca: 'ca', cn: 'kubernetes-admin', orgs: admins, eku: 'clientAuth', dns: [], ips: [], kubeconfig: true },
    { name: 'super-admin.conf', file: 'super-admin.conf', ca: 'ca', cn: 'kubernetes-super-admin', orgs: ['system:masters'], eku: 'clientAuth', dns: [], ips: [], kubeconfig: true },
    { name: 'controller-manager.conf', file: 'controller-manager.conf', ca: 'ca', cn: 'system:kube-controller-manager', orgs: [], eku: 'clientAuth', dns: [], ips: [], kubeconfig: true },
    { name: 'scheduler.conf', file: 'scheduler.conf', ca: 'ca', cn: 'system:kube-scheduler', orgs: [], eku: 'clientAuth', dns: [], ips: [], kubeconfig: true },
    { name: 'kubelet.conf', file: 'kubelet.conf', ca: 'ca', cn: `system:node:${o.nodeName}`, orgs: ['system:nodes'], eku: 'clientAuth', dns: [], ips: [], kubeconfig: true },
  ];
}

/** openssl's YYYYMMDDHHMMSSZ. */
function asn1Time(d: Date): string {
  return `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

class OpensslCa {
  constructor(private readonly work: string, private readonly keyType: FixtureKeyType, private readonly printable: boolean) {
    writeFileSync(path.join(work, 'openssl.cnf'), [
      '[ca]', 'default_ca = kk', '[kk]', 'database = index.txt', 'serial = serial', 'new_certs_dir = .', 'default_md = sha256',
      'policy = anything', 'unique_subject = no', 'copy_extensions = none',
      '[anything]', 'commonName = optional', 'organizationName = optional',
      '[req]', 'distinguished_name = dn', `string_mask = ${this.printable ? 'default' : 'utf8only'}`, '[dn]', '',
    ].join('\n'));
    writeFileSync(path.join(work, 'index.txt'), '');
    writeFileSync(path.join(work, 'serial'), '01\n');
  }

  private run(args: string[]): void {
    try {
      execFileSync('openssl', args, { cwd: this.work, stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (err) {
      throw new Error(`openssl ${args.join(' ')} failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
    }
  }

  /** Writes a key (made beforehand, see makeKeys) in kubeadm's encoding: PKCS#1 for RSA, SEC1 for EC. */
  writeKey(file: string, pem: string): void {
    writeFileSync(path.join(this.work, file), pem, { mode: 0o600 });
  }

  /** Issues `out` for `keyFile` signed by `caBase` (.crt/.key), or self-signed when caBase is undefined. */
  issue(p: { keyFile: string; out: string; subject: string; ext: string; notBefore: Date; notAfter: Date; caBase?: string }): void {
    const csr = `${p.out}.csr`;
    this.run(['req', '-new', '-config', 'openssl.cnf', '-key', p.keyFile, '-subj', p.subject, '-out', csr]);
    writeFileSync(path.join(this.work, `${p.out}.ext`), p.ext);
    const signer = p.caBase === undefined ? ['-selfsign', '-keyfile', p.keyFile] : ['-cert', `${p.caBase}.crt`, '-keyfile', `${p.caBase}.key`];
    this.run(['ca', '-batch', '-notext', '-config', 'openssl.cnf', '-rand_serial', '-preserveDN', ...signer, '-in', csr, '-out', p.out,
      '-startdate', asn1Time(p.notBefore), '-enddate', asn1Time(p.notAfter), '-extfile', `${p.out}.ext`]);
  }
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * Keys are made with node's crypto, in parallel on the libuv pool (RSA keygen is most of the
 * fixture's cost on a busy 2-core CI box); openssl still does all the certificate work.
 */
async function makeKeys(count: number, keyType: FixtureKeyType): Promise<string[]> {
  const one = async () => {
    const { privateKey } = keyType === 'rsa'
      ? await generateKeyPairAsync('rsa', { modulusLength: 2048 })
      : await generateKeyPairAsync('ec', { namedCurve: 'prime256v1' });
    return privateKey.export({ format: 'pem', type: keyType === 'rsa' ? 'pkcs1' : 'sec1' }) as string;
  };
  return Promise.all(Array.from({ length: count }, one));
}

function subjectOf(cn: string, orgs: string[]): string {
  return `${orgs.map((o) => `/O=${o}`).join('')}/CN=${cn}`;
}

function leafExt(spec: LeafSpec, override: CertOverride, advertise: string, keyType: FixtureKeyType): string {
  const ips = override.withoutNodeIp ? spec.ips.filter((ip) => ip !== advertise) : spec.ips;
  const sans = [...spec.dns.map((d) => `DNS:${d}`), ...ips.map((ip) => `IP:${ip}`)];
  const ku = keyType === 'rsa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature';
  return ['basicConstraints=critical,CA:FALSE', `keyUsage=critical,${ku}`, `extendedKeyUsage=${spec.eku}`,
    'authorityKeyIdentifier=keyid', ...(sans.length > 0 ? [`subjectAltName=${sans.join(',')}`] : []), ''].join('\n');
}

function kubeconfig(server: string, caPem: string, user: string, creds: Record<string, string>): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1', 'clusters:', '- cluster:', `    certificate-authority-data: ${b64(caPem)}`, `    server: ${server}`, '  name: kubernetes',
    'contexts:', '- context:', '    cluster: kubernetes', `    user: ${user}`, `  name: ${user}@kubernetes`,
    `current-context: ${user}@kubernetes`, 'kind: Config', 'preferences: {}', 'users:', `- name: ${user}`, '  user:',
    ...Object.entries(creds).map(([k, v]) => `    ${k}: ${v}`), '',
  ].join('\n');
}

/** Generates the tree under `root` (which must exist and be empty). */
export async function generateKubeadmPki(root: string, options: KubeadmPkiOptions = {}): Promise<KubeadmPki> {
  const now = options.now ?? new Date();
  const keyType = options.keyType ?? 'rsa';
  const nodeName = options.nodeName ?? 'cp-1';
  const advertiseAddress = options.advertiseAddress ?? '10.0.0.5';
  const pkiDir = path.join(root, 'pki');
  const manifestsDir = path.join(root, 'manifests');
  const work = path.join(root, '.openssl');
  for (const d of [pkiDir, path.join(pkiDir, 'etcd'), manifestsDir, path.join(root, 'kubelet', 'pki'), work]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const openssl = new OpensslCa(work, keyType, options.printableStrings === true);
  const specs = leafSpecs({ nodeName, advertiseAddress, legacyOrganizations: options.legacyOrganizations === true });
  const extra = Object.values(options.overrides ?? {}).filter((o) => o.mismatchedKey).length;
  const keys = await makeKeys(3 + specs.length + extra + (keyType === 'rsa' ? 1 : 0), keyType);
  const nextKey = () => keys.pop() as string;
  const saKey = keyType === 'rsa' ? nextKey() : (await makeKeys(1, 'rsa'))[0] as string;
  const caNotBefore = new Date(now.getTime() - 30 * DAY_MS);
  const pems: Record<string, { cert: string; key: string }> = {};
  const read = (f: string) => readFileSync(path.join(work, f), 'utf8');

  for (const [name, cn] of [['ca', 'kubernetes'], ['etcd-ca', 'etcd-ca'], ['front-proxy-ca', 'front-proxy-ca']] as const) {
    openssl.writeKey(`${name}.key`, nextKey());
    const san = name === 'ca' ? 'subjectAltName=DNS:kubernetes\n' : '';
    openssl.issue({ keyFile: `${name}.key`, out: `${name}.crt`, subject: `/CN=${cn}`, notBefore: caNotBefore,
      notAfter: options.caNotAfter?.[name] ?? new Date(caNotBefore.getTime() + 3650 * DAY_MS),
      ext: `basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyEncipherment,keyCertSign\nsubjectKeyIdentifier=hash\n${san}` });
    pems[name] = { cert: read(`${name}.crt`), key: read(`${name}.key`) };
  }
  for (const spec of specs) {
    const o = options.overrides?.[spec.name] ?? {};
    const base = spec.name;
    openssl.writeKey(`${base}.key`, nextKey());
    openssl.issue({ keyFile: `${base}.key`, out: `${base}.crt`, subject: subjectOf(spec.cn, spec.orgs), caBase: o.signedBy ?? spec.ca,
      notBefore: o.notBefore ?? caNotBefore, notAfter: o.notAfter ?? new Date(now.getTime() + 335 * DAY_MS),
      ext: leafExt(spec, o, advertiseAddress, keyType) });
    if (o.mismatchedKey) openssl.writeKey(`${base}.key`, nextKey());
    pems[base] = { cert: read(`${base}.crt`), key: read(`${base}.key`) };
  }
  return writeTree({ root, pkiDir, manifestsDir, nodeName, advertiseAddress, keyType, kubeconfigDir: root }, specs, pems, options, work, saKey);
}

function writeTree(pki: KubeadmPki, specs: LeafSpec[], pems: Record<string, { cert: string; key: string }>, options: KubeadmPkiOptions, work: string, saKey: string): KubeadmPki {
  const write = (file: string, text: string, mode: number) => writeFileSync(file, text, { mode });
  const server = `https://${pki.advertiseAddress.includes(':') ? `[${pki.advertiseAddress}]` : pki.advertiseAddress}:6443`;
  const caFiles = [['ca', 'ca'], ['front-proxy-ca', 'front-proxy-ca'], ['etcd-ca', 'etcd/ca']] as const;
  for (const [name, file] of caFiles) {
    if (options.externalEtcd && name === 'etcd-ca') continue;
    const pem = pems[name] as { cert: string; key: string };
    write(path.join(pki.pkiDir, `${file}.crt`), pem.cert, 0o644);
    if (!(options.externalCa && name === 'ca')) write(path.join(pki.pkiDir, `${file}.key`), pem.key, 0o600);
  }
  for (const spec of specs) {
    const pem = pems[spec.name] as { cert: string; key: string };
    if (options.externalEtcd && spec.ca === 'etcd-ca' && !spec.kubeconfig) continue;
    if (options.withoutSuperAdmin && spec.name === 'super-admin.conf') continue;
    if (spec.name === 'kubelet.conf') {
      const current = path.join(pki.root, 'kubelet', 'pki', 'kubelet-client-current.pem');
      write(current, pem.cert + pem.key, 0o600);
      write(path.join(pki.kubeconfigDir, 'kubelet.conf'), kubeconfig(server, (pems.ca as { cert: string }).cert, 'default-auth', { 'client-certificate': current, 'client-key': current }), 0o600);
    } else if (spec.kubeconfig) {
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      write(path.join(pki.kubeconfigDir, spec.file), kubeconfig(server, (pems.ca as { cert: string }).cert, spec.cn, { 'client-certificate-data': b64(pem.cert), 'client-key-data': b64(pem.key) }), 0o600);
    } else {
      write(path.join(pki.pkiDir, `${spec.file}.crt`), pem.cert, 0o644);
      write(path.join(pki.pkiDir, `${spec.file}.key`), pem.key, 0o600);
    }
  }
  // The service-account key pair is not a certificate: present so readers prove they ignore it.
  write(path.join(pki.pkiDir, 'sa.key'), saKey, 0o600);
  write(path.join(pki.pkiDir, 'sa.pub'), createPublicKey(saKey).export({ format: 'pem', type: 'spki' }) as string, 0o644);
  write(path.join(pki.manifestsDir, 'kube-apiserver.yaml'), staticPod('kube-apiserver', `kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: ${pki.advertiseAddress}:6443`), 0o600);
  write(path.join(pki.manifestsDir, 'etcd.yaml'), staticPod('etcd', `kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${pki.advertiseAddress}:2379`), 0o600);
  for (const name of ['kube-controller-manager', 'kube-scheduler']) write(path.join(pki.manifestsDir, `${name}.yaml`), staticPod(name), 0o600);
  rmSync(work, { recursive: true, force: true });
  return pki;
}

function staticPod(name: string, annotation?: string): string {
  return ['apiVersion: v1', 'kind: Pod', 'metadata:', ...(annotation ? ['  annotations:', `    ${annotation}`] : []),
    '  labels:', `    component: ${name}`, '    tier: control-plane', `  name: ${name}`, '  namespace: kube-system',
    'spec:', '  containers:', `  - name: ${name}`, `    image: registry.k8s.io/${name}:v1.30.0`, ''].join('\n');
}

/** A generated tree in a new temp dir; call `remove()` when done (e.g. in an `after` hook). */
export async function kubeadmPkiFixture(options: KubeadmPkiOptions = {}): Promise<KubeadmPki & { remove(): Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'kk-pki-'));
  return { ...(await generateKubeadmPki(root, options)), remove: () => rm(root, { recursive: true, force: true }) };
}

/** Copies a generated tree (cheaper than generating another), fixing kubelet.conf's absolute PEM path. */
export function copyKubeadmPki(pki: KubeadmPki, root: string): KubeadmPki {
  cpSync(pki.root, root, { recursive: true });
  const kubeletConf = path.join(root, 'kubelet.conf');
  writeFileSync(kubeletConf, readFileSync(kubeletConf, 'utf8').split(pki.root).join(root), { mode: 0o600 });
  return { ...pki, root, pkiDir: path.join(root, 'pki'), kubeconfigDir: root, manifestsDir: path.join(root, 'manifests') };
}

/** Every regular file under `dir` with its content hash, mode and mtime: to prove nothing was written. */
export function treeFingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out[`${p}/`] = `dir ${(st.mode & 0o7777).toString(8)}`;
        walk(p);
      } else {
        out[p] = `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${(st.mode & 0o7777).toString(8)} ${st.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return out;
}
