/**
 * SSH host keys for simulators: generation and the fingerprint as OpenSSH prints it.
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { utils } from 'ssh2';
import { InputError } from '@netloom/ports';

/** A host key pair: the private key (OpenSSH format) and its public key's fingerprint. */
export interface HostKey {
  /** The private key as ssh2's `Server` takes it. Never logged. */
  readonly privateKey: string;
  /** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` and OpenSSH's host key prompt print it. */
  readonly fingerprint: string;
}

/** Generates a fresh Ed25519 host key. */
export function generateHostKey(): HostKey {
  // NOTE: ssh2 1.17 occasionally (about 1 in 200) emits an Ed25519 key its own parser rejects ("Malformed OpenSSH
  // private key"); such a key is simply generated again. ECDSA P-256 is the fallback.
  for (let attempt = 0; attempt < 8; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    if (!(utils.parseKey(pair.private) instanceof Error)) return loadHostKey(pair.private);
  }
  return loadHostKey(utils.generateKeyPairSync('ecdsa', { bits: 256 }).private);
}

/**
 * Loads a private host key (OpenSSH or PEM text) and computes its fingerprint.
 *
 * @throws InputError when the key cannot be parsed (the key text is never part of the message).
 */
export function loadHostKey(privateKey: string): HostKey {
  return { privateKey, fingerprint: fingerprintOfPublicKey(publicKeyBlob(privateKey)) };
}

/**
 * The OpenSSH SHA256 fingerprint of a public key blob (the SSH wire encoding).
 *
 * @example fingerprintOfPublicKey(blob) // 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8'
 */
export function fingerprintOfPublicKey(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

function publicKeyBlob(privateKey: string): Buffer {
  const parsed = utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? (parsed as unknown[])[0] : parsed;
  if (key instanceof Error || key === undefined) {
    throw new InputError('hostKey: cannot parse the SSH host private key', [{ path: 'hostKey', reason: 'not a private key ssh2 can parse' }], {
      cause: key instanceof Error ? new Error(key.message) : undefined,
    });
  }
  return (key as { getPublicSSH(): Buffer }).getPublicSSH();
}
