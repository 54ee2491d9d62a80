/**
 * The PKI of a test control plane, made with openssl (an issuer independent of kubekeeper's own
 * certificate code): a cluster CA, the API server's serving certificate (127.0.0.1, localhost,
 * kubernetes.default.svc), service-account signing keys, and client certificates for users
 * (CN = user name, O = groups). Keys are 0600 in a 0700 directory.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface ClientCert {
  user: string;
  groups: readonly string[];
  cert: string;
  key: string;
}

export interface ControlPlanePki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  saKey: string;
  saPub: string;
  /** Issues (or returns the already issued) client certificate of a user. */
  client(user: string, groups?: readonly string[]): ClientCert;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Escapes a subject value for openssl's /A=b/C=d syntax. */
function subjectValue(v: string): string {
  return v.replace(/[\\/=+,]/g, (c) => `\\${c}`);
}

/** Signs a new EC key's CSR with the CA; `name` is the file stem, `ext` the v3 extensions. */
export function issueLeaf(dir: string, name: string, subject: string, ext: string, days = 2): void {
  writeFileSync(path.join(dir, `${name}.ext`), ext);
  openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', subject,
    '-keyout', `${name}.key`, '-out', `${name}.csr`], dir);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', String(days),
    '-out', `${name}.crt`, '-extfile', `${name}.ext`], dir);
  chmodSync(path.join(dir, `${name}.key`), 0o600);
}

/** The extensions of the API server's serving certificate. */
export const APISERVER_EXT = [
  'basicConstraints=CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
  '',
].join('\n');

/** Generates the whole PKI into `dir` (created 0700 when absent). */
export function generateControlPlanePki(dir: string): ControlPlanePki {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=kubernetes', '-keyout', 'ca.key', '-out', 'ca.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign'], dir);
  chmodSync(path.join(dir, 'ca.key'), 0o600);
  issueLeaf(dir, 'apiserver', '/CN=kube-apiserver', APISERVER_EXT);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'sa.key'], dir);
  chmodSync(path.join(dir, 'sa.key'), 0o600);
  openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
  const p = (f: string) => path.join(dir, f);
  const issued = new Map<string, ClientCert>();
  return {
    dir, caCert: p('ca.crt'), caKey: p('ca.key'), apiserverCert: p('apiserver.crt'), apiserverKey: p('apiserver.key'),
    saKey: p('sa.key'), saPub: p('sa.pub'),
    client(user, groups = []) {
      const known = issued.get(user);
      if (known) return known;
      const stem = `user-${user.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
      const subject = [...groups.map((g) => `/O=${subjectValue(g)}`), `/CN=${subjectValue(user)}`].join('');
      issueLeaf(dir, stem, subject, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
      const cert: ClientCert = { user, groups, cert: p(`${stem}.crt`), key: p(`${stem}.key`) };
      issued.set(user, cert);
      return cert;
    },
  };
}

/** A kubeconfig (one cluster, one user, one context) with file references, written 0600. */
export function writeKubeconfig(file: string, server: string, caCert: string, user: ClientCert): string {
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kk-test',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority: ${caCert}`,
    'users:',
    `- name: ${JSON.stringify(user.user)}`,
    '  user:',
    `    client-certificate: ${user.cert}`,
    `    client-key: ${user.key}`,
    'contexts:',
    '- name: kk-test',
    '  context:',
    '    cluster: kk-test',
    `    user: ${JSON.stringify(user.user)}`,
    'current-context: kk-test',
    '',
  ].join('\n');
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}
