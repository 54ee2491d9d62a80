/**
 * Interop with the standard age CLI (Debian's age 1.1.1): files kubekeeper encrypts must
 * decrypt with `age -d`, and files `age` encrypts must decrypt with kubekeeper, for X25519
 * recipients (one and several, binary and armored) and passphrases. age reads passphrases
 * only from a terminal, so those runs go through `script`, which gives age a pty and feeds
 * it the passphrase when it prompts.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, it, type TestContext } from 'node:test';
import {
  decryptStream, encryptStream, loadIdentities, NoIdentityMatchError, parseIdentityFile, parseRecipient,
  passphraseIdentity, passphraseRecipient, PayloadError, X25519Identity, type Identity, type Recipient,
} from '../../src/crypto/index.js';
import { patternBytes } from '../../src/crypto/testing.js';
import { runKubekeeper, runProcess } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

const SIZES = [0, 1, 65535, 65536, 65537, 200_000];
const hasTool = (name: string): boolean => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
const NO_AGE = hasTool('age') && hasTool('age-keygen') ? false : 'the age CLI is not installed (scripts/setup.sh installs it)';
const NO_PTY = NO_AGE || (hasTool('script') ? false : 'util-linux "script" is missing, needed to give age a terminal for passphrases');

async function ok(cmd: string, args: string[]): Promise<string> {
  const r = await runProcess(cmd, args);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function ageKey(dir: string, name: string): Promise<{ file: string; recipient: string }> {
  const file = path.join(dir, name);
  await ok('age-keygen', ['-o', file]);
  return { file, recipient: (await ok('age-keygen', ['-y', file])).trim() };
}

async function encryptFile(input: string, output: string, recipients: Recipient[], armor = false): Promise<void> {
  await pipeline(Readable.from(encryptStream(createReadStream(input), recipients, { armor })), createWriteStream(output));
}

async function decryptFile(input: string, identities: Identity[]): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of decryptStream(createReadStream(input, { highWaterMark: 16 * 1024 }), identities)) parts.push(part);
  return Buffer.concat(parts);
}

/** `age -d` output; age 1.1.1 creates no -o file for an empty plaintext (spec §13). */
async function readAgeOutput(file: string): Promise<Buffer> {
  return existsSync(file) ? readFile(file) : Buffer.alloc(0);
}

/** Runs an age command line in a pty and answers each passphrase prompt. */
function ageWithPassphrase(commandLine: string, passphrase: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qefc', commandLine, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    let answered = 0;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      const prompts = output.match(/passphrase[^:\n]*:/gi)?.length ?? 0;
      for (; answered < prompts; answered++) child.stdin.write(`${passphrase}\n`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function plainFile(t: TestContext, size: number): Promise<{ dir: string; plain: string; data: Buffer }> {
  const dir = await tempDir(t, 'kk-age-');
  const plain = path.join(dir, 'plain.bin');
  const data = patternBytes(size);
  await writeFile(plain, data);
  return { dir, plain, data };
}

describe('age interop: kubekeeper encrypts, age decrypts', { skip: NO_AGE }, () => {
  for (const size of SIZES) {
    it(`age -d -i decrypts a ${size}-byte X25519 file`, async (t) => {
      const { dir, plain, data } = await plainFile(t, size);
      const key = await ageKey(dir, 'key.txt');
      await encryptFile(plain, path.join(dir, 'f.age'), [parseRecipient(key.recipient)]);
      await ok('age', ['-d', '-i', key.file, '-o', path.join(dir, 'out'), path.join(dir, 'f.age')]);
      assert.deepEqual(await readAgeOutput(path.join(dir, 'out')), data);
    });
  }

  it('age -d decrypts an armored file', async (t) => {
    const { dir, plain, data } = await plainFile(t, 100_000);
    const key = await ageKey(dir, 'key.txt');
    await encryptFile(plain, path.join(dir, 'f.age'), [parseRecipient(key.recipient)], true);
    await ok('age', ['-d', '-i', key.file, '-o', path.join(dir, 'out'), path.join(dir, 'f.age')]);
    assert.deepEqual(await readFile(path.join(dir, 'out')), data);
  });

  it('age -d decrypts a file for three recipients with each of their keys', async (t) => {
    const { dir, plain, data } = await plainFile(t, 70_000);
    const keys = await Promise.all(['a', 'b', 'c'].map((n) => ageKey(dir, `${n}.txt`)));
    await encryptFile(plain, path.join(dir, 'f.age'), keys.map((k) => parseRecipient(k.recipient)));
    for (const [i, key] of keys.entries()) {
      await ok('age', ['-d', '-i', key.file, '-o', path.join(dir, `out${i}`), path.join(dir, 'f.age')]);
      assert.deepEqual(await readFile(path.join(dir, `out${i}`)), data);
    }
  });

  it('age -d accepts a kubekeeper keygen identity whose public key age-keygen -y confirms', async (t) => {
    const { dir, plain, data } = await plainFile(t, 1000);
    const keyFile = path.join(dir, 'kk.key');
    const r = await runKubekeeper(['keygen', '-o', keyFile]);
    assert.equal(r.code, 0, r.stderr);
    const recipient = /^Public key: (age1[a-z0-9]+)$/m.exec(r.stdout)![1]!;
    assert.equal((await ok('age-keygen', ['-y', keyFile])).trim(), recipient);
    await encryptFile(plain, path.join(dir, 'f.age'), [parseRecipient(recipient)]);
    await ok('age', ['-d', '-i', keyFile, '-o', path.join(dir, 'out'), path.join(dir, 'f.age')]);
    assert.deepEqual(await readFile(path.join(dir, 'out')), data);
  });

  it('kubekeeper keygen without -o prints an identity file that age-keygen -y reads; -w json gives the pair', async (t) => {
    const dir = await tempDir(t, 'kk-age-');
    const r = await runKubekeeper(['keygen']);
    assert.equal(r.code, 0, r.stderr);
    const recipient = /^Public key: (age1[a-z0-9]+)$/m.exec(r.stderr)![1]!;
    assert.match(r.stdout, new RegExp(`^# created: \\S+Z\n# public key: ${recipient}\nAGE-SECRET-KEY-1[A-Z0-9]{58}\n$`));
    await writeFile(path.join(dir, 'k.txt'), r.stdout, { mode: 0o600 });
    assert.equal((await ok('age-keygen', ['-y', path.join(dir, 'k.txt')])).trim(), recipient);
    const json = await runKubekeeper(['keygen', '-w', 'json']);
    const pair = JSON.parse(json.stdout) as { recipient: string; identity: string; fingerprint: string };
    const [identity] = parseIdentityFile(pair.identity);
    assert.ok(identity instanceof X25519Identity);
    assert.equal(identity.recipient().toString(), pair.recipient);
    assert.match(pair.fingerprint, /^[0-9a-f]{16}$/);
  });

  it('kubekeeper keygen -o refuses to overwrite an existing key file', async (t) => {
    const file = path.join(await tempDir(t, 'kk-age-'), 'key.txt');
    await writeFile(file, 'existing');
    const r = await runKubekeeper(['keygen', '-o', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Error: Cannot write the identity file ".*": it already exists\nHint: /);
    assert.equal(await readFile(file, 'utf8'), 'existing');
  });

  it('age -d rejects a kubekeeper file with a byte appended', async (t) => {
    const { dir, plain } = await plainFile(t, 1000);
    const key = await ageKey(dir, 'key.txt');
    await encryptFile(plain, path.join(dir, 'f.age'), [parseRecipient(key.recipient)]);
    await writeFile(path.join(dir, 'f.age'), Buffer.from('x'), { flag: 'a' });
    const r = await runProcess('age', ['-d', '-i', key.file, '-o', path.join(dir, 'out'), path.join(dir, 'f.age')]);
    assert.notEqual(r.code, 0);
  });

  it('age -d decrypts a passphrase file (age prompts on a pty)', { skip: NO_PTY }, async (t) => {
    const { dir, plain, data } = await plainFile(t, 70_000);
    await encryptFile(plain, path.join(dir, 'f.age'), [passphraseRecipient('kubekeeper interop pass', 10)]);
    const r = await ageWithPassphrase(`age -d -o ${path.join(dir, 'out')} ${path.join(dir, 'f.age')}`, 'kubekeeper interop pass');
    assert.equal(r.code, 0, r.output);
    assert.deepEqual(await readFile(path.join(dir, 'out')), data);
  });
});

describe('age interop: age encrypts, kubekeeper decrypts', { skip: NO_AGE }, () => {
  for (const size of SIZES) {
    it(`decrypts a ${size}-byte file from age -r`, async (t) => {
      const { dir, plain, data } = await plainFile(t, size);
      const key = await ageKey(dir, 'key.txt');
      await ok('age', ['-r', key.recipient, '-o', path.join(dir, 'f.age'), plain]);
      assert.deepEqual(await decryptFile(path.join(dir, 'f.age'), await loadIdentities(key.file)), data);
    });
  }

  it('decrypts a file from age -a (armored)', async (t) => {
    const { dir, plain, data } = await plainFile(t, 100_000);
    const key = await ageKey(dir, 'key.txt');
    await ok('age', ['-a', '-r', key.recipient, '-o', path.join(dir, 'f.age'), plain]);
    assert.match(await readFile(path.join(dir, 'f.age'), 'latin1'), /^-----BEGIN AGE ENCRYPTED FILE-----/);
    assert.deepEqual(await decryptFile(path.join(dir, 'f.age'), await loadIdentities(key.file)), data);
  });

  it('decrypts a file from age -R with several recipients, with the second key only', async (t) => {
    const { dir, plain, data } = await plainFile(t, 65536);
    const [a, b] = [await ageKey(dir, 'a.txt'), await ageKey(dir, 'b.txt')];
    await writeFile(path.join(dir, 'recipients.txt'), `# team\n${a.recipient}\n${b.recipient}\n`);
    await ok('age', ['-R', path.join(dir, 'recipients.txt'), '-o', path.join(dir, 'f.age'), plain]);
    assert.deepEqual(await decryptFile(path.join(dir, 'f.age'), await loadIdentities(b.file)), data);
  });

  it('reports a wrong key as NoIdentityMatchError with a hint', async (t) => {
    const { dir, plain } = await plainFile(t, 10);
    const [a, b] = [await ageKey(dir, 'a.txt'), await ageKey(dir, 'b.txt')];
    await ok('age', ['-r', a.recipient, '-o', path.join(dir, 'f.age'), plain]);
    await assert.rejects(decryptFile(path.join(dir, 'f.age'), await loadIdentities(b.file)),
      (err: unknown) => err instanceof NoIdentityMatchError && /age-keygen -y/.test(err.hint ?? ''));
  });

  it('rejects an age file with a flipped payload byte', async (t) => {
    const { dir, plain } = await plainFile(t, 1000);
    const key = await ageKey(dir, 'key.txt');
    await ok('age', ['-r', key.recipient, '-o', path.join(dir, 'f.age'), plain]);
    const file = await readFile(path.join(dir, 'f.age'));
    file[file.length - 100] = file[file.length - 100]! ^ 0x01;
    await writeFile(path.join(dir, 'f.age'), file);
    await assert.rejects(decryptFile(path.join(dir, 'f.age'), parseIdentityFile(await readFile(key.file, 'utf8'))), PayloadError);
  });

  it('decrypts a file from age -p (passphrase typed on a pty, work factor 18)', { skip: NO_PTY }, async (t) => {
    const { dir, plain, data } = await plainFile(t, 70_000);
    const r = await ageWithPassphrase(`age -p -o ${path.join(dir, 'f.age')} ${plain}`, 'typed by script');
    assert.equal(r.code, 0, r.output);
    assert.match(await readFile(path.join(dir, 'f.age'), 'latin1'), /^age-encryption.org\/v1\n-> scrypt \S+ 18\n/);
    assert.deepEqual(await decryptFile(path.join(dir, 'f.age'), [passphraseIdentity('typed by script')]), data);
    await assert.rejects(decryptFile(path.join(dir, 'f.age'), [passphraseIdentity('typed by scripT')]), /wrong passphrase/);
  });
});
