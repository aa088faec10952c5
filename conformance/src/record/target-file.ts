/**
 * The live target file: a lab device, its credentials by reference, and what the suite may touch on it.
 *
 * ```yaml
 * apiVersion: netloom.io/v1alpha1
 * kind: ConformanceTarget
 * adapter: "@netloom/adapter-huawei-ce"    # the adapter package (or its id); must match the adapter under test
 * port: fabric
 * device:
 *   name: lab-leaf1                        # default lab-device
 *   address: 192.0.2.10
 *   port: 22
 *   options: { commitMode: trial }         # adapter options, as in a profile's inventory entry
 *   hostKey: { verify: true, fingerprint: "SHA256:..." }
 *   tls: { verify: true, ca: { file: /etc/lab/ca.pem } }
 * credentials:                             # by reference only: { env: NAME } or { file: path }
 *   username: { env: LAB_USER }            # (a user name may also be given inline)
 *   password: { file: /run/secrets/leaf-pw }
 * allow: { interfaces: [10GE1/0/1, 10GE1/0/2], vlans: { from: 100, to: 199 }, vnis: { from: 910000, to: 910999 } }
 * protocol: ssh-cli                        # ssh-cli | https-json | ovsdb; for --record (default: known per adapter)
 * lacks: [confirmedCommit]                 # capabilities this device lacks although the adapter declares them
 * ```
 *
 * Validated with io-ts: every problem is reported with its path and reason. Secrets are read when the file is
 * loaded, from the environment or a file; messages name the variable or file, never a value.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as t from 'io-ts';
import { InputError, decodeOrThrow, intInRange, struct, type Credentials, type DeviceTarget, type InputProblem } from '@netloom/ports';
import { parse as parseYaml } from 'yaml';
import type { NamedSecret } from './redact';
import { AllowCodec, type Allow, type RecordProtocol } from './recording';

/** The `apiVersion` of a target file. */
export const TARGET_FILE_API_VERSION = 'netloom.io/v1alpha1';

const nonEmpty = t.refinement(t.string, (s) => s.trim() !== '', 'non-empty string');
const EnvRef = struct('environment reference', { env: t.refinement(t.string, (s) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(s), 'environment variable name') });
const FileRef = struct('file reference', { file: nonEmpty });
const ValueRef = struct('inline value', { value: nonEmpty });
type SecretRef = t.TypeOf<typeof EnvRef> | t.TypeOf<typeof FileRef>;
/** A secret by reference. Its problems never echo the value: a misplaced inline secret stays out of messages. */
const SecretRefCodec = new t.Type<SecretRef, SecretRef, unknown>(
  'secret reference',
  (u): u is SecretRef => EnvRef.is(u) || FileRef.is(u),
  (u, c) => {
    if (EnvRef.is(u) || FileRef.is(u)) return t.success(u);
    if (typeof u !== 'object' || u === null) return t.failure(undefined, c, 'inline secrets are not allowed: use { env: NAME } (an environment variable) or { file: path }');
    return t.failure(undefined, c, 'expected { env: NAME } or { file: path }');
  },
  t.identity,
);
const UsernameRefCodec = t.union([nonEmpty, EnvRef, FileRef, ValueRef], 'user name ({ env }, { file }, { value } or a string)');

/** io-ts codec of a target file. */
export const TargetFileCodec = struct('conformance target file', {
  apiVersion: t.literal(TARGET_FILE_API_VERSION),
  kind: t.literal('ConformanceTarget'),
  adapter: nonEmpty,
  port: t.keyof({ fabric: null, vswitch: null, firewall: null, loadBalancer: null }, 'fabric | vswitch | firewall | loadBalancer'),
  device: struct(
    'device',
    { address: nonEmpty },
    {
      name: t.refinement(t.string, (s) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s), 'lower-case name (letters, digits, dashes)'),
      port: intInRange('port', 1, 65535),
      options: t.UnknownRecord,
      hostKey: struct('hostKey', { verify: t.boolean }, { fingerprint: t.refinement(t.string, (s) => s.startsWith('SHA256:'), 'SHA256:<base64> fingerprint') }),
      tls: struct('tls', { verify: t.boolean }, { ca: FileRef }),
    },
  ),
  credentials: struct('credentials', {}, { username: UsernameRefCodec, password: SecretRefCodec, token: SecretRefCodec, privateKey: SecretRefCodec }),
  allow: AllowCodec,
}, {
  protocol: t.keyof({ 'ssh-cli': null, 'https-json': null, ovsdb: null }, 'ssh-cli | https-json | ovsdb'),
  lacks: t.readonlyArray(t.string),
});

/** A target file, decoded. */
export type TargetFile = t.TypeOf<typeof TargetFileCodec>;

/** A target file with its references resolved. */
export interface LoadedTargetFile {
  readonly file: string;
  readonly spec: TargetFile;
  /** The device target the adapter connects to (credentials resolved, CA read). */
  readonly target: DeviceTarget;
  /** Adapter options from the file (default `{}`). */
  readonly options: Readonly<Record<string, unknown>>;
  readonly allow: Allow;
  readonly protocol?: RecordProtocol;
  readonly lacks: readonly string[];
  /** Every secret resolved, named after its field (for redaction). */
  readonly secrets: readonly NamedSecret[];
}

type Ref = { env: string } | { file: string } | { value: string } | string;

function read(ref: Ref, env: Readonly<Record<string, string | undefined>>, trimNewline: boolean): { ok: true; value: string } | { ok: false; reason: string } {
  if (typeof ref === 'string') return { ok: true, value: ref };
  if ('value' in ref) return { ok: true, value: ref.value };
  if ('env' in ref) {
    const v = env[ref.env];
    if (v === undefined) return { ok: false, reason: `environment variable ${ref.env} is not set` };
    if (v === '') return { ok: false, reason: `environment variable ${ref.env} is empty` };
    return { ok: true, value: v };
  }
  try {
    const content = fs.readFileSync(ref.file, 'utf8');
    const value = trimNewline ? content.replace(/\r?\n$/, '') : content;
    return value === '' ? { ok: false, reason: `file ${ref.file} is empty` } : { ok: true, value };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, reason: `file ${ref.file} ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}` };
  }
}

/**
 * Reads, validates and resolves a target file.
 *
 * @param env where `{ env }` references are read (default `process.env`)
 * @throws InputError with the path and reason of every problem (the file, its YAML, its shape, each reference)
 * @example const live = loadTargetFile('lab/leaf1.yaml');
 */
export function loadTargetFile(file: string, env: Readonly<Record<string, string | undefined>> = process.env): LoadedTargetFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new InputError(`target file ${file} cannot be read (${code})`, [{ path: file, reason: code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})` }], { cause: e });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    throw new InputError(`target file ${file} is not valid YAML: ${(e as Error).message}`, [{ path: '', reason: (e as Error).message }], { cause: e });
  }
  const spec = decodeOrThrow(TargetFileCodec, raw, `target file ${file}`);
  const problems: InputProblem[] = [];
  const credentials: { -readonly [K in keyof Credentials]: Credentials[K] } = {};
  const secrets: NamedSecret[] = [];
  for (const key of ['username', 'password', 'token', 'privateKey'] as const) {
    const ref = spec.credentials[key] as Ref | undefined;
    if (ref === undefined) continue;
    const r = read(ref, env, key !== 'privateKey');
    if (!r.ok) {
      problems.push({ path: `credentials.${key}`, reason: r.reason });
      continue;
    }
    credentials[key] = r.value;
    if (key !== 'username') secrets.push({ name: key, value: r.value });
  }
  let ca: string | undefined;
  if (spec.device.tls?.ca !== undefined) {
    const r = read(spec.device.tls.ca, env, false);
    if (r.ok) ca = r.value;
    else problems.push({ path: 'device.tls.ca.file', reason: r.reason });
  }
  if (problems.length > 0) throw InputError.fromProblems(`target file ${file}`, problems);
  const d = spec.device;
  const target: DeviceTarget = {
    name: d.name ?? 'lab-device',
    address: d.address,
    ...(d.port === undefined ? {} : { port: d.port }),
    credentials,
    ...(d.tls === undefined ? {} : { tls: { verify: d.tls.verify, ...(ca === undefined ? {} : { ca }) } }),
    ...(d.hostKey === undefined ? {} : { hostKey: { verify: d.hostKey.verify, ...(d.hostKey.fingerprint === undefined ? {} : { fingerprint: d.hostKey.fingerprint }) } }),
  };
  return {
    file,
    spec,
    target,
    options: (d.options ?? {}) as Readonly<Record<string, unknown>>,
    allow: spec.allow,
    ...(spec.protocol === undefined ? {} : { protocol: spec.protocol }),
    lacks: spec.lacks ?? [],
    secrets,
  };
}

/** True when the file's `adapter` names this adapter: its id, or its package name (`@scope/adapter-<id>`). */
export function namesAdapter(value: string, adapterId: string, packageName?: string): boolean {
  return value === adapterId || value === packageName || value === `adapter-${adapterId}` || value.endsWith(`/adapter-${adapterId}`);
}
