/**
 * What the CNI specification 1.0 (https://www.cni.dev/docs/spec/) fixes for every plugin: the versions, the error
 * codes, the shapes of the result and of the error a plugin prints on stdout, and `CNI_ARGS`.
 *
 * - A plugin is run with `CNI_COMMAND` (`ADD`, `DEL`, `CHECK`, `VERSION`), `CNI_CONTAINERID`, `CNI_NETNS`,
 *   `CNI_IFNAME`, `CNI_ARGS` (`K=V;K2=V2`) and `CNI_PATH` in its environment and the network configuration as JSON
 *   on stdin.
 * - Success: exit code 0, the result (ADD) or the version information (VERSION) as JSON on stdout; DEL and CHECK
 *   print nothing.
 * - Failure: a non-zero exit code and `{ cniVersion, code, msg, details }` on stdout. Codes 0–99 are the spec's,
 *   100 and above are the plugin's own.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { struct } from '@netloom/ports';

/** The CNI spec versions netloom-cni speaks (configuration and result format). */
export const SUPPORTED_VERSIONS: readonly string[] = ['1.0.0'];

/** The version netloom-cni answers in when the caller's version is unknown or unsupported. */
export const DEFAULT_CNI_VERSION = '1.0.0';

/**
 * Error codes. 1–7 and 11 are the spec's well-known codes; 100 and above are netloom-cni's own (the spec leaves
 * them to the plugin).
 */
export const CniErrorCode = {
  /** The configuration's `cniVersion` is not one the plugin supports. */
  incompatibleVersion: 1,
  /** A field of the configuration is not supported; the message names the key and its value. */
  unsupportedField: 2,
  /** The container (its network namespace) does not exist: the runtime need not clean up. */
  unknownContainer: 3,
  /** A required environment variable is missing or invalid; the message names it. */
  invalidEnvironment: 4,
  /** Reading the input failed. */
  ioFailure: 5,
  /** The configuration or `CNI_ARGS` could not be decoded. */
  decodingFailure: 6,
  /** The configuration decoded but is invalid; the message names each field and the reason. */
  invalidConfig: 7,
  /** A transient condition: the runtime should try again later (the endpoint is not allocated yet). */
  tryAgainLater: 11,
  /** netloom-cni: the Kubernetes API refused or failed a request (authorisation, malformed reply). */
  kubernetesApi: 100,
  /** netloom-cni: talking to Open vSwitch (OVSDB) failed. */
  ovsdb: 101,
  /** netloom-cni: an `ip` (iproute2) command failed. */
  kernel: 102,
  /** netloom-cni: CHECK found the attachment different from the allocation. */
  drift: 103,
  /** netloom-cni: the allocation the controller wrote cannot be used (malformed annotation, unknown subnet). */
  invalidAllocation: 104,
  /** netloom-cni: anything else (a bug: the message says what failed). */
  internal: 199,
} as const;

/** A CNI error code (see {@link CniErrorCode}). */
export type CniErrorCodeValue = (typeof CniErrorCode)[keyof typeof CniErrorCode];

/**
 * An error the plugin reports to the runtime: `code` is the CNI error code, `message` the `msg`, `details` the
 * longer explanation (the spec's `details` is one string). The original error is kept as `cause` for the log.
 *
 * @example throw new CniError(CniErrorCode.tryAgainLater, 'pod shop/web-0 has no netloom allocation yet', 'waited 30000 ms for netloom.io/allocated-ips')
 */
export class CniError extends Error {
  constructor(
    readonly code: CniErrorCodeValue,
    message: string,
    readonly details?: string,
    options: { readonly cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CniError';
  }
}

/**
 * The error JSON a plugin prints on stdout (spec "Error").
 * @example { cniVersion: '1.0.0', code: 11, msg: 'pod shop/web-0 has no netloom allocation yet', details: '...' }
 */
export interface CniErrorJson {
  readonly cniVersion: string;
  readonly code: number;
  readonly msg: string;
  readonly details?: string;
}

/** Renders a {@link CniError} as the spec's error JSON. */
export function errorJson(e: CniError, cniVersion: string): CniErrorJson {
  return { cniVersion, code: e.code, msg: e.message, ...(e.details !== undefined && e.details !== '' ? { details: e.details } : {}) };
}

// --- result -------------------------------------------------------------------------------------------------------

const strip = { unknownFields: 'strip' } as const;

/** An interface of a result: the host end of the veth (no `sandbox`) or the container end (`sandbox`: the netns). */
export const CniInterfaceCodec = struct('Interface', { name: t.string }, { mac: t.string, sandbox: t.string, mtu: t.number }, strip);
/** An address of a result: `address` in CIDR form, `interface` an index into `interfaces`. */
export const CniIpConfigCodec = struct('IPConfig', { address: t.string }, { gateway: t.string, interface: t.number }, strip);
/** A route of a result (`dst` in CIDR form). */
export const CniRouteCodec = struct('Route', { dst: t.string }, { gw: t.string }, strip);
/** DNS settings (spec "DNS", in the configuration and in the result). */
export const CniDnsCodec = struct(
  'DNS',
  {},
  { nameservers: t.readonlyArray(t.string), domain: t.string, search: t.readonlyArray(t.string), options: t.readonlyArray(t.string) },
);
/**
 * A result (spec "ADD Success"). Fields of later spec versions are dropped when decoding (a `prevResult` written by
 * a newer runtime still decodes).
 */
export const CniResultCodec = struct(
  'Result',
  { cniVersion: t.string },
  { interfaces: t.readonlyArray(CniInterfaceCodec), ips: t.readonlyArray(CniIpConfigCodec), routes: t.readonlyArray(CniRouteCodec), dns: CniDnsCodec },
  strip,
);

/** An interface of a result. */
export type CniInterface = t.TypeOf<typeof CniInterfaceCodec>;
/** An address of a result. */
export type CniIpConfig = t.TypeOf<typeof CniIpConfigCodec>;
/** A route of a result. */
export type CniRoute = t.TypeOf<typeof CniRouteCodec>;
/** DNS settings. */
export type CniDns = t.TypeOf<typeof CniDnsCodec>;
/**
 * A result as ADD prints it.
 * @example { cniVersion: '1.0.0',
 *   interfaces: [{ name: 'nlv1a2b3c4d5e6f', mac: '6a:…' }, { name: 'eth0', mac: '02:…', sandbox: '/var/run/netns/cni-…' }],
 *   ips: [{ address: '10.1.0.5/24', gateway: '10.1.0.1', interface: 1 }], routes: [{ dst: '0.0.0.0/0', gw: '10.1.0.1' }], dns: {} }
 */
export type CniResult = t.TypeOf<typeof CniResultCodec>;

/** What VERSION prints. @example { cniVersion: '1.0.0', supportedVersions: ['1.0.0'] } */
export interface CniVersionInfo {
  readonly cniVersion: string;
  readonly supportedVersions: readonly string[];
}

// --- CNI_ARGS -----------------------------------------------------------------------------------------------------

/**
 * Parses `CNI_ARGS` (`K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0;IgnoreUnknown=1`): pairs separated by `;`, key and
 * value by the first `=`. An empty text is no arguments.
 *
 * @throws CniError code 6 (decoding failure) for a pair without `=` or with an empty key.
 * @example parseCniArgs('K8S_POD_NAMESPACE=shop;K8S_POD_NAME=web-0') // { K8S_POD_NAMESPACE: 'shop', K8S_POD_NAME: 'web-0' }
 */
export function parseCniArgs(text: string | undefined): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (text === undefined || text.trim() === '') return out;
  for (const [i, pair] of text.split(';').entries()) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CniError(CniErrorCode.decodingFailure, `CNI_ARGS: pair ${i + 1} (${JSON.stringify(pair)}) is not KEY=VALUE`);
    Object.defineProperty(out, pair.slice(0, eq), { value: pair.slice(eq + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}
