/**
 * Resolving credential references (`{ env: NAME }`, `{ file: path }`) into {@link Credentials}, and an inventory
 * device into the {@link DeviceTarget} an adapter connects to.
 *
 * Secrets are read at use time (when netloom connects), never while validating a profile. Error messages name the
 * reference (`environment variable NETLOOM_LEAF1_PASSWORD is not set`), never a value.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { InputError, type Credentials, type DeviceTarget, type InputProblem } from '@netloom/ports';
import type { SecretRegistry } from '../secrets';
import type { CredentialsRef, InventoryDevice, UsernameRef } from './profile.codec';

/** Options of {@link resolveCredentials} and {@link resolveTarget}. */
export interface ResolveOptions {
  /** Environment to read `{ env }` references from (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Where the references sit in the profile, for messages (e.g. `inventory.devices[0].credentials`). */
  readonly at?: string;
  /** Every resolved secret is added here, so the logger can redact it. */
  readonly secrets?: SecretRegistry;
}

type Read = { ok: true; value: string } | { ok: false; reason: string };

function readRef(ref: UsernameRef, env: NodeJS.ProcessEnv, trimNewline: boolean): Read {
  if ('value' in ref) return { ok: true, value: ref.value };
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined) return { ok: false, reason: `environment variable ${ref.env} is not set` };
    if (v === '') return { ok: false, reason: `environment variable ${ref.env} is empty` };
    return { ok: true, value: v };
  }
  let content: string;
  try {
    content = fs.readFileSync(ref.file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable (permission denied)' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    return { ok: false, reason: `file ${ref.file} ${why}` };
  }
  const value = trimNewline ? content.replace(/\r?\n$/, '') : content;
  if (value === '') return { ok: false, reason: `file ${ref.file} is empty` };
  return { ok: true, value };
}

/**
 * Reads the secrets a credentials reference points to.
 * @throws InputError listing every reference that cannot be read (unset or empty variable, missing, unreadable or
 *   empty file). Messages name the variable or file, never a value.
 * @example resolveCredentials({ username: { value: 'admin' }, password: { env: 'LEAF1_PASSWORD' } })
 */
export function resolveCredentials(ref: CredentialsRef, opts: ResolveOptions = {}): Credentials {
  const env = opts.env ?? process.env;
  const at = opts.at ?? 'credentials';
  const problems: InputProblem[] = [];
  const out: { username?: string; password?: string; token?: string; privateKey?: string } = {};
  for (const key of ['username', 'password', 'token', 'privateKey'] as const) {
    const r = ref[key];
    if (r === undefined) continue;
    // A private key file keeps its trailing newline (PEM); one-line secrets lose it.
    const read = readRef(r, env, key !== 'privateKey');
    if (!read.ok) {
      problems.push({ path: `${at}.${key}`, reason: read.reason });
      continue;
    }
    out[key] = read.value;
    if (key !== 'username') opts.secrets?.add(read.value);
  }
  if (problems.length > 0) throw InputError.fromProblems(`credentials ${at}`, problems);
  return out;
}

/**
 * Builds the target an adapter connects to from an inventory device: address, port, resolved credentials, TLS
 * (with the CA bundle read) and host-key settings.
 * @throws InputError if a credential or the CA file cannot be read.
 */
export function resolveTarget(device: InventoryDevice, opts: ResolveOptions = {}): DeviceTarget {
  const at = opts.at ?? `device ${device.name}`;
  const target: { -readonly [K in keyof DeviceTarget]: DeviceTarget[K] } = { name: device.name };
  if (device.address !== undefined) target.address = device.address;
  if (device.port !== undefined) target.port = device.port;
  if (device.credentials !== undefined) target.credentials = resolveCredentials(device.credentials, { ...opts, at: `${at}.credentials` });
  if (device.tls !== undefined) {
    let ca: string | undefined;
    if (device.tls.ca !== undefined) {
      const read = readRef({ file: device.tls.ca.file }, {}, false);
      if (!read.ok) throw InputError.fromProblems(`TLS settings ${at}.tls`, [{ path: `${at}.tls.ca.file`, reason: read.reason }]);
      ca = read.value;
    }
    target.tls = { verify: device.tls.verify, ...(ca !== undefined ? { ca } : {}) };
  }
  if (device.hostKey !== undefined) {
    target.hostKey = {
      verify: device.hostKey.verify,
      ...(device.hostKey.fingerprint !== undefined ? { fingerprint: device.hostKey.fingerprint } : {}),
      ...(device.hostKey.knownHostsFile !== undefined ? { knownHostsFile: device.hostKey.knownHostsFile } : {}),
    };
  }
  return target;
}
