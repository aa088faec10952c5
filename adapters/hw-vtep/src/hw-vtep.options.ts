/**
 * Options of the hw-vtep adapter (an inventory entry's `options` in the profile) and how they combine with the
 * device target (address, port, credentials, TLS settings) into the settings of the OVSDB connection.
 *
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import * as t from 'io-ts';
import { InputError, type DeviceTarget, type InputProblem, decodeOrThrow, describeValue, intInRange, refined, struct } from '@netloom/ports';
import { OVSDB_DEFAULT_PORT, type OvsdbTlsOptions, formatRemote, parseRemote } from '@netloom/ovsdb';

/** Brand of {@link PhysicalSwitchNameCodec}. */
export interface PhysicalSwitchNameBrand {
  readonly PhysicalSwitchName: unique symbol;
}

/** A `Physical_Switch` name: 1–255 characters, no control characters. */
export const PhysicalSwitchNameCodec = refined<string, string, PhysicalSwitchNameBrand>('PhysicalSwitchName', t.string, (s) => {
  if (s.length === 0) return 'must not be empty';
  if (s.length > 255) return `${describeValue(s)} is longer than 255 characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(s)) return `${describeValue(s)} contains a control character`;
  return undefined;
});

/** Brand of {@link OvsdbRemoteCodec}. */
export interface OvsdbRemoteBrand {
  readonly OvsdbRemote: unique symbol;
}

/** An active OVSDB remote: `unix:<path>`, `tcp:<host>[:<port>]` or `ssl:<host>[:<port>]`. Decoded canonical. */
export const OvsdbRemoteCodec = refined<string, string, OvsdbRemoteBrand>(
  'OvsdbRemote',
  t.string,
  (s) => {
    try {
      parseRemote(s);
      return undefined;
    } catch (e) {
      const reason = e instanceof InputError ? e.problems[0]?.reason : undefined;
      return `${describeValue(s)} is not an OVSDB remote: ${reason ?? 'expected unix:<path>, tcp:<host>:<port> or ssl:<host>:<port>'}`;
    }
  },
  (s) => formatRemote(parseRemote(s)),
);

/**
 * TLS settings that belong to the adapter (the rest comes from the device target):
 * - `certificate` / `certificateFile`: the client certificate (PEM text, or a file holding it; at most one).
 *   ovsdb-server's `pssl:` listener requires one. Its private key is the device's `credentials.privateKey` (a
 *   secret by reference), and `credentials.password`, when given, is that key's passphrase.
 * - `verifyHostname`: also check that the server certificate names the host (default true). Certificates made by
 *   `ovs-pki` carry no host name: set false for them; the chain is still verified.
 */
export const HwVtepTlsOptionsCodec = struct('HwVtepTlsOptions', {}, { certificate: t.string, certificateFile: t.string, verifyHostname: t.boolean });

/**
 * Options of the hw-vtep adapter:
 * - `physicalSwitch` (required): the `Physical_Switch` this device is (its `name` in `hardware_vtep`).
 * - `remote`: the OVSDB remote. Default: `tcp:<target.address>:<target.port or 6640>`, or `ssl:` when the device has
 *   TLS settings (`tls` in the inventory entry, or `options.tls`).
 * - `tls`: see {@link HwVtepTlsOptionsCodec}.
 * - `requestTimeoutMs`: how long one OVSDB request may take (default 30 000).
 */
export const HwVtepOptionsCodec = struct(
  'HwVtepOptions',
  { physicalSwitch: PhysicalSwitchNameCodec },
  { remote: OvsdbRemoteCodec, tls: HwVtepTlsOptionsCodec, requestTimeoutMs: intInRange('RequestTimeoutMs', 100, 600_000) },
);

/** Options of the hw-vtep adapter. See {@link HwVtepOptionsCodec}. */
export type HwVtepOptions = t.TypeOf<typeof HwVtepOptionsCodec>;

/** What a driver needs to open OVSDB sessions, derived once from target and options. */
export interface HwVtepConnectionSettings {
  /** The canonical remote. */
  readonly remote: string;
  readonly physicalSwitch: string;
  readonly requestTimeoutMs: number;
  /** Present for `ssl:` remotes. The client certificate may still be a file to read (see {@link loadTls}). */
  readonly tls?: {
    readonly ca?: string;
    readonly certificate?: string;
    readonly certificateFile?: string;
    readonly key?: string;
    readonly passphrase?: string;
    readonly rejectUnauthorized: boolean;
    readonly verifyHostname: boolean;
  };
  /** The secrets in play (to redact from any text). */
  readonly secrets: readonly string[];
}

/** The default request timeout (ms). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function hostPart(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
}

/**
 * Validates `options` and combines them with `target` into connection settings.
 *
 * @throws InputError listing every problem (unknown or invalid options, no remote and no target address, a TLS
 *   client certificate without a private key or the other way round, TLS settings on a `tcp:`/`unix:` remote).
 * @example
 * connectionSettings({ name: 'leaf1', address: '10.0.0.5' }, { physicalSwitch: 'leaf1' })
 * // { remote: 'tcp:10.0.0.5:6640', physicalSwitch: 'leaf1', requestTimeoutMs: 30000, secrets: [] }
 */
export function connectionSettings(target: DeviceTarget, options: unknown): HwVtepConnectionSettings {
  const subject = `options of hw-vtep device ${target.name}`;
  const o = decodeOrThrow(HwVtepOptionsCodec, options ?? {}, subject);
  const problems: InputProblem[] = [];
  const wantsTls = target.tls !== undefined || o.tls !== undefined;
  let remote: string | undefined = o.remote;
  if (remote === undefined) {
    if (target.address === undefined || target.address === '') problems.push({ path: 'remote', reason: 'required when the device has no address (give options.remote or the inventory address)' });
    else remote = formatRemote(parseRemote(`${wantsTls ? 'ssl' : 'tcp'}:${hostPart(target.address)}:${target.port ?? OVSDB_DEFAULT_PORT}`));
  }
  const kind = remote === undefined ? undefined : parseRemote(remote).kind;
  const creds = target.credentials ?? {};
  if (o.tls?.certificate !== undefined && o.tls.certificateFile !== undefined) problems.push({ path: 'tls', reason: 'give certificate or certificateFile, not both' });
  const hasCert = o.tls?.certificate !== undefined || o.tls?.certificateFile !== undefined;
  if (hasCert && creds.privateKey === undefined) problems.push({ path: 'tls.certificate', reason: "needs the certificate's private key as credentials.privateKey" });
  if (!hasCert && creds.privateKey !== undefined && kind === 'ssl') problems.push({ path: 'tls.certificate', reason: 'credentials.privateKey is given but no client certificate (tls.certificate or tls.certificateFile)' });
  if (kind !== undefined && kind !== 'ssl' && o.tls !== undefined) problems.push({ path: 'tls', reason: `TLS settings need an ssl: remote, the remote is ${remote}` });
  if (problems.length > 0 || remote === undefined) throw InputError.fromProblems(subject, problems);
  const secrets = [creds.privateKey, creds.password].filter((s): s is string => s !== undefined && s !== '');
  const base = { remote, physicalSwitch: o.physicalSwitch, requestTimeoutMs: o.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, secrets };
  if (kind !== 'ssl') return base;
  // Verification stays on unless the profile turned it off for this device (tls.verify: false).
  const verify = target.tls?.verify ?? true;
  return {
    ...base,
    tls: {
      ...(target.tls?.ca !== undefined ? { ca: target.tls.ca } : {}),
      ...(o.tls?.certificate !== undefined ? { certificate: o.tls.certificate } : {}),
      ...(o.tls?.certificateFile !== undefined ? { certificateFile: o.tls.certificateFile } : {}),
      ...(creds.privateKey !== undefined ? { key: creds.privateKey } : {}),
      ...(creds.password !== undefined && creds.privateKey !== undefined ? { passphrase: creds.password } : {}),
      rejectUnauthorized: verify,
      verifyHostname: verify && (o.tls?.verifyHostname ?? true),
    },
  };
}

/**
 * The TLS options of the OVSDB client for `settings` (reads `certificateFile` if given), or undefined for plain
 * remotes.
 *
 * @throws InputError the certificate file cannot be read (the message names the file, never a key).
 */
export async function loadTls(settings: HwVtepConnectionSettings): Promise<OvsdbTlsOptions | undefined> {
  const tls = settings.tls;
  if (tls === undefined) return undefined;
  let cert = tls.certificate;
  if (tls.certificateFile !== undefined) {
    try {
      cert = await readFile(tls.certificateFile, 'utf8');
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      throw InputError.fromProblems(`TLS client certificate of Physical_Switch ${settings.physicalSwitch}`, [
        { path: 'tls.certificateFile', reason: `${tls.certificateFile} cannot be read (${typeof code === 'string' ? code : 'error'})` },
      ]);
    }
  }
  return {
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(tls.key !== undefined ? { key: tls.key } : {}),
    ...(tls.passphrase !== undefined ? { passphrase: tls.passphrase } : {}),
    rejectUnauthorized: tls.rejectUnauthorized,
    verifyHostname: tls.verifyHostname,
  };
}
