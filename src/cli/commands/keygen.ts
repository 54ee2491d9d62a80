/**
 * `kubekeeper keygen [-o FILE]`: creates an age X25519 identity, like age-keygen. With -o the
 * identity goes to FILE (mode 0600, never overwritten) and the recipient to stdout; without
 * it, the identity file text goes to stdout. The age CLI reads the result (`age -d -i FILE`).
 * `--signing -o FILE` instead creates a manifest signing key (ed25519) and prints the public
 * key that readers list as a trusted signer.
 */
import { createIdentityFile, createSigningKeyFile, formatIdentityFile, generateIdentity, parseRecipient, recipientFingerprint } from '../../crypto/index.js';
import { UsageError } from '../../errors.js';
import { defineCommand, writeOutFlag } from '../command.js';

export default defineCommand({
  name: 'keygen',
  summary: 'Create an age identity (secret key) and print its recipient (public key) for encrypted backups',
  minArgs: 0,
  maxArgs: 0,
  flags: {
    output: { type: 'string', short: 'o', valueName: 'FILE', description: 'Write the identity to FILE (mode 0600; an existing file is never overwritten)' },
    signing: { type: 'boolean', description: 'Create a manifest signing key instead (needs -o); readers trust its public key with --trusted-signer' },
    'write-out': writeOutFlag(['text', 'json'], 'text'),
  },
  details: [
    'Give the recipient (age1...) to "backup" commands; keep the identity file offline and safe:',
    'without it, backups encrypted to its recipient cannot be restored. The standard age CLI',
    'decrypts them too:  age -d -i FILE backup.age > snapshot.db',
    '',
    'Examples:',
    '  kubekeeper keygen -o /root/kubekeeper-backup.key',
    '  kubekeeper keygen > key.txt        (the secret key goes to stdout)',
    '  kubekeeper keygen --signing -o /root/kubekeeper-signing.key   (then: backup save --signing-key FILE,',
    '                                     and readers: --trusted-signer kksign1...)',
  ].join('\n'),
  async run({ flags, io }) {
    const json = flags['write-out'] === 'json';
    const file = flags.output;
    if (flags.signing) {
      if (file === undefined) throw new UsageError('--signing needs -o FILE: a signing key is never printed', 'Run "kubekeeper keygen --signing -o FILE"');
      const publicKey = await createSigningKeyFile(file);
      io.stdout.write(json ? `${JSON.stringify({ signer: publicKey.toString(), keyId: publicKey.keyId(), signingKeyFile: file })}\n` : `Signer public key: ${publicKey.toString()}\n`);
      return;
    }
    if (file !== undefined) {
      const { recipient } = await createIdentityFile(file);
      const fingerprint = recipientFingerprint(parseRecipient(recipient));
      io.stdout.write(json ? `${JSON.stringify({ recipient, fingerprint, identityFile: file })}\n` : `Public key: ${recipient}\n`);
      return;
    }
    const generated = generateIdentity();
    if (json) {
      const fingerprint = recipientFingerprint(parseRecipient(generated.recipient));
      io.stdout.write(`${JSON.stringify({ recipient: generated.recipient, fingerprint, identity: generated.identity })}\n`);
      return;
    }
    // Like age-keygen: the public key on stderr when stdout is redirected to a file.
    if (!io.stdoutIsTTY) io.stderr.write(`Public key: ${generated.recipient}\n`);
    io.stdout.write(formatIdentityFile(generated, new Date()));
  },
});
