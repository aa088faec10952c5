/**
 * SSH host key trust for the SSH runner, from the device target's `hostKey`: a pinned `SHA256:` fingerprint (as
 * `ssh-keygen -lf` prints it) or an OpenSSH known_hosts file. `verify: false` accepts any key, and only when the
 * profile says so; with `verify` true (the default) and neither a fingerprint nor a file, connecting is refused.
 *
 * @packageDocumentation
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeviceConnectionError, InputError, type DeviceTarget } from '@netloom/ports';

/** Decides on one presented host key (the SSH wire blob): `undefined` when trusted, else why not. */
export type HostKeyVerifier = (keyBlob: Buffer) => string | undefined;

/** The OpenSSH SHA-256 fingerprint of a key blob: `SHA256:` and unpadded base64. */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

const FINGERPRINT = /^(SHA256:)?([A-Za-z0-9+/]{43})=?$/;

/** The name known_hosts uses for a host: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function patternMatches(pattern: string, name: string): boolean {
  if (pattern.startsWith('|1|')) {
    const [, , salt, hash] = pattern.split('|');
    if (salt === undefined || hash === undefined) return false;
    const want = Buffer.from(hash, 'base64');
    const got = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest();
    return want.length === got.length && timingSafeEqual(want, got);
  }
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

/**
 * Checks a key blob against known_hosts text: plain and hashed host names, `[host]:port`, `*`/`?` wildcards,
 * `!` negation, `@revoked` lines (`@cert-authority` lines are ignored: certificates are not supported).
 * Returns `undefined` when trusted.
 */
export function checkKnownHosts(text: string, host: string, port: number, keyBlob: Buffer, source: string): string | undefined {
  const name = knownHostsName(host, port);
  let listed = false;
  for (const raw of text.split(/\r?\n/)) {
    let fields = raw.trim().split(/\s+/);
    if (fields[0] === undefined || fields[0] === '' || fields[0].startsWith('#')) continue;
    let revoked = false;
    if (fields[0].startsWith('@')) {
      if (fields[0] !== '@revoked') continue;
      revoked = true;
      fields = fields.slice(1);
    }
    const [hosts, , b64] = fields;
    if (hosts === undefined || b64 === undefined) continue;
    let selected = false;
    for (const p of hosts.split(',')) {
      if (p.startsWith('!')) {
        if (patternMatches(p.slice(1), name)) {
          selected = false;
          break;
        }
      } else if (patternMatches(p, name)) selected = true;
    }
    if (!selected) continue;
    const same = Buffer.from(b64, 'base64').equals(keyBlob);
    if (revoked && same) return `the key is marked @revoked in ${source}`;
    if (revoked) continue;
    listed = true;
    if (same) return undefined;
  }
  return listed ? `${source} lists a different key for ${name}: the host key changed, or someone is intercepting the connection` : `${source} has no entry for ${name}`;
}

/**
 * The verifier for `target.hostKey` (reads the known_hosts file now, so a missing file fails before connecting).
 *
 * @throws InputError (a malformed fingerprint, or verification on without a fingerprint or file),
 *   DeviceConnectionError (the known_hosts file cannot be read)
 * @example await hostKeyVerifier({ name: 'vfw1', address: '10.0.0.9', hostKey: { verify: true, fingerprint: 'SHA256:...' } }, 22)
 */
export async function hostKeyVerifier(target: DeviceTarget, port: number): Promise<HostKeyVerifier> {
  const hk = target.hostKey;
  if (hk !== undefined && hk.verify === false) return () => undefined;
  const host = target.address ?? '';
  if (hk?.fingerprint !== undefined) {
    const m = FINGERPRINT.exec(hk.fingerprint.trim());
    if (m === null) {
      throw new InputError(`target ${target.name}: hostKey.fingerprint must be SHA256:<43 base64 characters> as ssh-keygen -lf prints it`, [
        { path: 'hostKey.fingerprint', reason: 'expected SHA256:<43 base64 characters>' },
      ]);
    }
    const pinned = `SHA256:${m[2]!}`;
    return (blob) => (sha256Fingerprint(blob) === pinned ? undefined : `it does not match the pinned fingerprint ${pinned}`);
  }
  if (hk?.knownHostsFile !== undefined) {
    const file = hk.knownHostsFile;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      throw new DeviceConnectionError(`target ${target.name}: cannot read known_hosts file ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause, details: { knownHostsFile: file } });
    }
    return (blob) => checkKnownHosts(text, host, port, blob, file);
  }
  throw new InputError(`target ${target.name}: SSH needs hostKey.fingerprint or hostKey.knownHostsFile (or hostKey.verify: false, for a lab)`, [
    { path: 'hostKey', reason: 'no way to verify the host key' },
  ]);
}
