/**
 * SSH host key trust: a pinned SHA-256 fingerprint (as `ssh-keygen -l` and the OpenSSH client print it) or an
 * OpenSSH `known_hosts` file. There is no silent trust-on-first-use: accepting any key needs the explicit
 * `{ insecureAcceptAny: true }`.
 *
 * @packageDocumentation
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeviceConnectionError, InputError } from '@netloom/ports';

/**
 * How to decide whether the device's host key is the right one.
 *
 * - `fingerprintSha256`: one pinned fingerprint (or several, during a key rollover), `SHA256:<base64>` exactly as
 *   OpenSSH prints it (the `SHA256:` prefix and `=` padding are optional).
 * - `knownHostsFile`: an OpenSSH known_hosts file (plain `host[,host] key-type base64` lines, the `[host]:port`
 *   form for ports other than 22, hashed `|1|salt|hash` names, `*`/`?` wildcards, `!` negation and `@revoked`
 *   markers). `@cert-authority` lines are ignored (certificates are not supported).
 * - `knownHosts`: the same content given inline.
 * - `insecureAcceptAny: true`: accept any key (labs only; say so explicitly).
 *
 * @example { fingerprintSha256: 'SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8' }
 * @example { knownHostsFile: '/etc/netloom/known_hosts' }
 */
export type HostKeyPolicy =
  | { readonly fingerprintSha256: string | readonly string[] }
  | { readonly knownHostsFile: string }
  | { readonly knownHosts: string }
  | { readonly insecureAcceptAny: true };

/**
 * The OpenSSH SHA-256 fingerprint of a public key blob (SSH wire format): `SHA256:` + unpadded base64.
 *
 * @example sha256Fingerprint(Buffer.from('AAAAC3NzaC1lZDI1NTE5AAAAI...', 'base64')) // 'SHA256:...'
 */
export function sha256Fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ssh-rsa` ...), or `unknown`. */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || keyBlob.length < 4 + len) return 'unknown';
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

function normaliseFingerprint(f: string): string {
  return f.trim().replace(/^SHA256:/i, '').replace(/=+$/, '');
}

/** One usable line of a known_hosts file. */
export interface KnownHostsEntry {
  /** `revoked` for `@revoked` lines. */
  readonly marker?: 'revoked';
  /** The comma-separated host patterns, split. */
  readonly patterns: readonly string[];
  readonly keyType: string;
  readonly key: Buffer;
  /** 1-based line number (for messages). */
  readonly line: number;
}

/**
 * Parses known_hosts text. Comments, blank lines and `@cert-authority` lines are skipped; a malformed line is an
 * `InputError` naming the line.
 *
 * @throws InputError
 */
export function parseKnownHosts(text: string, source = 'known_hosts'): KnownHostsEntry[] {
  const out: KnownHostsEntry[] = [];
  const problems: { path: string; reason: string }[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    let fields = line.split(/\s+/);
    let marker: 'revoked' | undefined;
    if (fields[0]?.startsWith('@')) {
      if (fields[0] === '@cert-authority') return;
      if (fields[0] !== '@revoked') {
        problems.push({ path: `line ${i + 1}`, reason: `unknown marker ${JSON.stringify(fields[0])}` });
        return;
      }
      marker = 'revoked';
      fields = fields.slice(1);
    }
    const [hosts, keyType, b64] = fields;
    if (hosts === undefined || keyType === undefined || b64 === undefined || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) {
      problems.push({ path: `line ${i + 1}`, reason: 'expected "<hosts> <key-type> <base64 key>"' });
      return;
    }
    out.push({ ...(marker === undefined ? {} : { marker }), patterns: hosts.split(','), keyType, key: Buffer.from(b64, 'base64'), line: i + 1 });
  });
  if (problems.length > 0) throw InputError.fromProblems(source, problems);
  return out;
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function wildcard(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return re.test(name);
}

function hashedMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('|');
  // |1|salt|hash → ['', '1', salt, hash]
  if (parts.length !== 4 || parts[1] !== '1') return false;
  const salt = Buffer.from(parts[2]!, 'base64');
  const want = Buffer.from(parts[3]!, 'base64');
  const got = createHmac('sha1', salt).update(name).digest();
  return want.length === got.length && timingSafeEqual(want, got);
}

/** True if the entry's patterns select `name` (a negated pattern that matches excludes it). */
export function hostMatches(patterns: readonly string[], name: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('|')) {
      if (hashedMatch(p, name)) matched = true;
      continue;
    }
    const negated = p.startsWith('!');
    const body = negated ? p.slice(1) : p;
    if (wildcard(body, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * Checks a host key blob against known_hosts entries. Returns `undefined` when trusted, or the reason it is not.
 */
export function checkKnownHosts(entries: readonly KnownHostsEntry[], host: string, port: number, keyBlob: Buffer, source = 'known_hosts'): string | undefined {
  const name = knownHostsName(host, port);
  const forHost = entries.filter((e) => hostMatches(e.patterns, name));
  if (forHost.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob))) return `the key is marked @revoked in ${source}`;
  const usable = forHost.filter((e) => e.marker === undefined);
  if (usable.some((e) => e.key.equals(keyBlob))) return undefined;
  if (usable.length === 0) return `${source} has no entry for ${name}`;
  const lines = usable.map((e) => e.line).join(', ');
  return `${source} lists a different key for ${name} (line ${lines}): the host key may have changed, or someone is intercepting the connection`;
}

/** Decides on one presented key blob: `undefined` when trusted, otherwise the reason. */
export type HostKeyCheck = (keyBlob: Buffer) => string | undefined;

/**
 * Prepares the check for `policy` (reads the known_hosts file now, so a missing file fails before connecting).
 *
 * @throws InputError for an empty or malformed policy or file, DeviceConnectionError when the file cannot be read
 */
export async function hostKeyCheck(policy: HostKeyPolicy, host: string, port: number): Promise<HostKeyCheck> {
  if ('insecureAcceptAny' in policy) {
    if (policy.insecureAcceptAny !== true) throw new InputError('hostKey.insecureAcceptAny must be true when given', [{ path: 'hostKey.insecureAcceptAny', reason: 'must be true' }]);
    return () => undefined;
  }
  if ('fingerprintSha256' in policy) {
    const list = (typeof policy.fingerprintSha256 === 'string' ? [policy.fingerprintSha256] : [...policy.fingerprintSha256]).map(normaliseFingerprint);
    if (list.length === 0 || list.some((f) => !/^[A-Za-z0-9+/]{43}$/.test(f))) {
      throw new InputError('hostKey.fingerprintSha256 must be SHA256:<43 base64 characters> as ssh-keygen -l prints it', [
        { path: 'hostKey.fingerprintSha256', reason: 'expected SHA256:<43 base64 characters>' },
      ]);
    }
    return (blob) => {
      const seen = normaliseFingerprint(sha256Fingerprint(blob));
      return list.includes(seen) ? undefined : `it does not match the pinned fingerprint${list.length > 1 ? 's' : ''} ${list.map((f) => `SHA256:${f}`).join(', ')}`;
    };
  }
  let text: string;
  let source: string;
  if ('knownHostsFile' in policy) {
    source = policy.knownHostsFile;
    try {
      text = await readFile(policy.knownHostsFile, 'utf8');
    } catch (cause) {
      throw new DeviceConnectionError(`cannot read known_hosts file ${policy.knownHostsFile}: ${(cause as Error).message}`, { cause, details: { knownHostsFile: policy.knownHostsFile } });
    }
  } else if ('knownHosts' in policy) {
    source = 'known_hosts (inline)';
    text = policy.knownHosts;
  } else {
    throw new InputError('hostKey must give fingerprintSha256, knownHostsFile, knownHosts or insecureAcceptAny: true', [{ path: 'hostKey', reason: 'no host key policy' }]);
  }
  const entries = parseKnownHosts(text, source);
  return (blob) => checkKnownHosts(entries, host, port, blob, source);
}
