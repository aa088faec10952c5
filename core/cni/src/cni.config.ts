/**
 * The network configuration netloom-cni reads from stdin: the spec's fields (`cniVersion`, `name`, `type`, `dns`,
 * `args`, `runtimeConfig`, `capabilities`, and `prevResult` for CHECK and DEL) and netloom-cni's own, validated with
 * io-ts. Every problem is reported with its field and the reason.
 *
 * @example
 * {
 *   "cniVersion": "1.0.0", "name": "netloom", "type": "netloom-cni",
 *   "bridge": "br-int", "ovsdb": "unix:/var/run/openvswitch/db.sock",
 *   "kubeconfig": "/etc/cni/net.d/netloom-kubeconfig.json", "annotationTimeoutMs": 30000,
 *   "logFile": "/var/log/netloom-cni.log"
 * }
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { decodeProblems, intInRange, refined, struct } from '@netloom/ports';
import { ifnameProblem } from './cni.env';
import { CniDnsCodec, CniError, CniErrorCode, CniResultCodec, SUPPORTED_VERSIONS, type CniDns, type CniResult } from './cni.spec';

/** Defaults of the optional fields. */
export const CONFIG_DEFAULTS = {
  bridge: 'br-int',
  ovsdb: 'unix:/var/run/openvswitch/db.sock',
  ovsdbTimeoutMs: 10_000,
  annotationTimeoutMs: 30_000,
  apiTimeoutMs: 5_000,
  logLevel: 'info',
  /** MTU of a pod on a VLAN (network overlay: the leaf encapsulates, the node sends plain frames). */
  mtuVlan: 1500,
  /** MTU of a pod on a tunnel key (host overlay: the node adds 50 bytes of VXLAN over IPv4). */
  mtuTunnel: 1450,
} as const;

/** Log levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
/** A log level. */
export type LogLevel = (typeof LOG_LEVELS)[number];

interface IfnameBrand {
  readonly Ifname: unique symbol;
}
interface AbsolutePathBrand {
  readonly AbsolutePath: unique symbol;
}
interface RemoteBrand {
  readonly OvsdbRemote: unique symbol;
}

const Ifname = refined<string, string, IfnameBrand>('interface name', t.string, (s) => {
  const p = ifnameProblem(s);
  return p === undefined ? undefined : `${JSON.stringify(s)} ${p}`;
});
const AbsolutePath = refined<string, string, AbsolutePathBrand>('absolute path', t.string, (s) => (s.startsWith('/') ? undefined : `${JSON.stringify(s)} is not an absolute path`));
const OvsdbRemoteText = refined<string, string, RemoteBrand>('OVSDB remote', t.string, (s) =>
  /^(unix:\/.+|tcp:.+|ssl:.+)$/.test(s) ? undefined : `${JSON.stringify(s)} is not "unix:<absolute path>", "tcp:<host>:<port>" or "ssl:<host>:<port>"`,
);
const LogLevelCodec = t.keyof({ debug: null, info: null, warn: null, error: null }, '"debug" | "info" | "warn" | "error"');
const JsonObject = t.UnknownRecord;

const FIELDS = {
  required: { cniVersion: t.string, name: t.string, type: t.string },
  optional: {
    // the spec's
    dns: CniDnsCodec,
    args: JsonObject,
    runtimeConfig: JsonObject,
    capabilities: JsonObject,
    prevResult: CniResultCodec,
    // netloom-cni's
    bridge: Ifname,
    ovsdb: OvsdbRemoteText,
    ovsdbTimeoutMs: intInRange('milliseconds', 1, 600_000),
    kubeconfig: AbsolutePath,
    annotationTimeoutMs: intInRange('milliseconds', 0, 600_000),
    apiTimeoutMs: intInRange('milliseconds', 1, 120_000),
    mtu: intInRange('MTU', 68, 65_535),
    logFile: AbsolutePath,
    logLevel: LogLevelCodec,
  },
};

/** The configuration codec (closed: the caller rejects unknown fields first, with the spec's code 2). */
export const NetloomCniConfigCodec = struct('netloom-cni network configuration', FIELDS.required, FIELDS.optional);

/** Fields the spec defines that netloom-cni does not support: netloom allocates addresses itself. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  ipam: 'netloom-cni takes addresses from the netloom controller (pod annotations), not from an IPAM plugin',
  ipMasq: 'netloom-cni does not masquerade; traffic leaves through the leaf gateway',
};

/** The checked configuration, with defaults applied. */
export interface NetloomCniConfig {
  readonly cniVersion: string;
  readonly name: string;
  readonly type: string;
  /** The OVS bridge pods plug into (default `br-int`). */
  readonly bridge: string;
  /** The OVSDB remote of the node's Open vSwitch (default `unix:/var/run/openvswitch/db.sock`). */
  readonly ovsdb: string;
  /** Connect and request timeout towards OVSDB, and how long ADD waits for ovs-vswitchd to apply the port. */
  readonly ovsdbTimeoutMs: number;
  /** A kubeconfig in JSON (`kubectl config view --raw --flatten -o json`); absent: the in-cluster service account. */
  readonly kubeconfig?: string;
  /** How long ADD waits for the controller's allocation annotations before failing with code 11 (default 30 s). */
  readonly annotationTimeoutMs: number;
  /** Timeout of one Kubernetes API request (default 5 s). */
  readonly apiTimeoutMs: number;
  /** The pod's MTU; absent: 1500 on a VLAN, 1450 on a tunnel key. */
  readonly mtu?: number;
  /** Where to append the log (JSON lines); absent: no log. */
  readonly logFile?: string;
  readonly logLevel: LogLevel;
  /** DNS settings handed back in the result. */
  readonly dns?: CniDns;
  /** The previous result (CHECK, DEL). */
  readonly prevResult?: CniResult;
}

/** Best-effort `cniVersion` of a raw stdin text, for the error JSON of a configuration that failed to decode. */
export function sniffCniVersion(stdin: string): string | undefined {
  try {
    const raw: unknown = JSON.parse(stdin);
    if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
      const v = (raw as Record<string, unknown>)['cniVersion'];
      return typeof v === 'string' ? v : undefined;
    }
  } catch {
    /* not JSON */
  }
  return undefined;
}

function short(value: unknown): string {
  const s = JSON.stringify(value) ?? String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/**
 * Parses and checks the configuration from stdin.
 *
 * @throws CniError code 6 (not JSON, not an object), 1 (unsupported `cniVersion`), 2 (an unknown or unsupported
 *   field: the message names the key and its value), 7 (a field with a wrong value: each with its path and reason).
 * @example parseConfig('{"cniVersion":"1.0.0","name":"netloom","type":"netloom-cni"}').bridge // 'br-int'
 */
export function parseConfig(stdin: string): NetloomCniConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(stdin);
  } catch (e) {
    throw new CniError(CniErrorCode.decodingFailure, `the network configuration on stdin is not JSON: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CniError(CniErrorCode.decodingFailure, 'the network configuration on stdin is not a JSON object');
  const obj = raw as Record<string, unknown>;
  const version = obj['cniVersion'];
  if (typeof version === 'string' && !SUPPORTED_VERSIONS.includes(version)) {
    throw new CniError(CniErrorCode.incompatibleVersion, `cniVersion ${JSON.stringify(version)} is not supported; netloom-cni supports ${SUPPORTED_VERSIONS.join(', ')}`);
  }
  for (const [key, value] of Object.entries(obj)) {
    const why = Object.prototype.hasOwnProperty.call(UNSUPPORTED, key) ? UNSUPPORTED[key] : undefined;
    if (why !== undefined) throw new CniError(CniErrorCode.unsupportedField, `unsupported field ${key}: ${short(value)}`, why);
    if (!Object.prototype.hasOwnProperty.call(FIELDS.required, key) && !Object.prototype.hasOwnProperty.call(FIELDS.optional, key)) {
      throw new CniError(CniErrorCode.unsupportedField, `unsupported field ${key}: ${short(value)}`, `netloom-cni knows ${[...Object.keys(FIELDS.required), ...Object.keys(FIELDS.optional)].join(', ')}`);
    }
  }
  const r = decodeProblems(NetloomCniConfigCodec, obj);
  if (r.value === undefined) {
    const lines = r.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`);
    throw new CniError(CniErrorCode.invalidConfig, `the network configuration is invalid: ${lines.join('; ')}`, lines.join('\n'));
  }
  const c = r.value;
  return {
    cniVersion: c.cniVersion,
    name: c.name,
    type: c.type,
    bridge: c.bridge ?? CONFIG_DEFAULTS.bridge,
    ovsdb: c.ovsdb ?? CONFIG_DEFAULTS.ovsdb,
    ovsdbTimeoutMs: c.ovsdbTimeoutMs ?? CONFIG_DEFAULTS.ovsdbTimeoutMs,
    ...(c.kubeconfig !== undefined ? { kubeconfig: c.kubeconfig } : {}),
    annotationTimeoutMs: c.annotationTimeoutMs ?? CONFIG_DEFAULTS.annotationTimeoutMs,
    apiTimeoutMs: c.apiTimeoutMs ?? CONFIG_DEFAULTS.apiTimeoutMs,
    ...(c.mtu !== undefined ? { mtu: c.mtu } : {}),
    ...(c.logFile !== undefined ? { logFile: c.logFile } : {}),
    logLevel: c.logLevel ?? CONFIG_DEFAULTS.logLevel,
    ...(c.dns !== undefined ? { dns: c.dns } : {}),
    ...(c.prevResult !== undefined ? { prevResult: c.prevResult } : {}),
  };
}
