/**
 * The inventory `options` of an Open vSwitch-compatible node ({@link vswitchOptionsCodec}) and how they resolve against the
 * {@link DeviceTarget}: where the OVSDB server is, how netloom reaches each bridge's OpenFlow side, which datapath
 * type new bridges get, which existing bridges netloom may adopt.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import type { OvsdbTlsOptions } from '@netloom/ovsdb';
import { InputError, PortNameCodec, decodeOrThrow, intInRange, isIpv4, isIpv6, setOf, struct, type DeviceTarget } from '@netloom/ports';

/** The OVSDB remote of a distribution-packaged Open vSwitch. */
export const OVS_DEFAULT_OVSDB_REMOTE = 'unix:/var/run/openvswitch/db.sock';
/** Where netloom listens for bridges by default (`openflow: { listen: {} }`): the IANA OpenFlow port on loopback. */
export const DEFAULT_OPENFLOW_LISTEN = { host: '127.0.0.1', port: 6653 } as const;

const HostCodec = new t.Type<string, string, unknown>(
  'IP address',
  (u): u is string => typeof u === 'string' && (isIpv4(u) || isIpv6(u)),
  (u, c) => (typeof u === 'string' && (isIpv4(u) || isIpv6(u)) ? t.success(u) : t.failure(u, c, `${JSON.stringify(u)} is not an IP address (OVS controller targets take addresses, not names)`)),
  t.identity,
);
const TcpPortCodec = intInRange('TCP port', 1, 65535);

/** `openflow: { listen: {...} }`: netloom is the bridge's controller; each bridge dials `tcp:<host>:<port>`. */
export const OpenFlowListenCodec = struct('OpenFlowListen', {}, { listen: struct('listen', {}, { host: HostCodec, port: TcpPortCodec }) });
/** `openflow: { connect: {...} }`: the bridge listens (`ptcp:<port>:<host>`) and netloom dials it. */
export const OpenFlowConnectCodec = struct('OpenFlowConnect', { connect: struct('connect', { host: HostCodec, port: TcpPortCodec }) });

/**
 * The adapter's options (strict: unknown fields are refused).
 *
 * - `ovsdb`: the OVSDB remote (`unix:<path>`, `tcp:<ip>[:<port>]`, `ssl:<ip>[:<port>]`). Default: `tcp:` to the
 *   target's address when it has one, else the adapter's default remote (`unix:/var/run/openvswitch/db.sock` on
 *   distribution-packaged Open vSwitch).
 * - `openflow`: `{ listen: { host?, port? } }` (default, 127.0.0.1:6653) or `{ connect: { host, port } }`.
 * - `datapathType`: `system` (kernel) or `netdev` (userspace) for bridges netloom creates. Default: OVS's (`system`).
 * - `adoptBridges`: names of existing bridges (not created by netloom) that netloom may take over when the desired
 *   config has a bridge of that name. Anything else with a desired bridge's name is a conflict.
 * - `requestTimeoutMs`: per OVSDB / OpenFlow request (default 15000).
 * - `vswitchdTimeoutMs`: how long to wait for ovs-vswitchd to apply a committed change (default 10000).
 * - `tlsCertificate`: the client certificate (PEM) for an `ssl:` remote. The private key comes from the target's
 *   credentials (`privateKey`, `password` as its passphrase), the CA from `target.tls.ca`: secrets never sit in
 *   options.
 *
 * @example { ovsdb: 'unix:/var/run/openvswitch/db.sock', openflow: { connect: { host: '127.0.0.1', port: 6654 } }, datapathType: 'system', adoptBridges: ['br-int'] }
 * @example const OvsOptionsCodec = vswitchOptionsCodec('OvsOptions');
 */
// The return type is inferred on purpose: the codec's exact type is what adapters re-export.
export function vswitchOptionsCodec(name: string) {
  return struct(
    name,
    {},
    {
      ovsdb: t.string,
      openflow: t.union([OpenFlowConnectCodec, OpenFlowListenCodec], '{ listen: { host?, port? } } or { connect: { host, port } }'),
      datapathType: t.keyof({ system: null, netdev: null }, '"system" | "netdev"'),
      adoptBridges: setOf(PortNameCodec),
      requestTimeoutMs: intInRange('milliseconds', 100, 600_000),
      vswitchdTimeoutMs: intInRange('milliseconds', 100, 600_000),
      tlsCertificate: t.string,
    },
  );
}
/** The adapter's options as written in a profile. */
export type VSwitchOptions = t.TypeOf<ReturnType<typeof vswitchOptionsCodec>>;

/** How netloom reaches a bridge's OpenFlow side. */
export type OpenFlowMode = { readonly mode: 'listen'; readonly host: string; readonly port: number } | { readonly mode: 'connect'; readonly host: string; readonly port: number };

/** The options with every default filled in. */
export interface ResolvedVSwitchOptions {
  readonly ovsdb: string;
  readonly openflow: OpenFlowMode;
  readonly datapathType: 'system' | 'netdev' | undefined;
  readonly adoptBridges: readonly string[];
  readonly requestTimeoutMs: number;
  readonly vswitchdTimeoutMs: number;
  /** TLS material for an `ssl:` remote (undefined otherwise). */
  readonly tls: OvsdbTlsOptions | undefined;
}

const REMOTE = /^(unix:.+|(tcp|ssl):[^\s]+)$/;

/** What differs between adapters when options are resolved. */
export interface OptionsFlavor {
  /** The adapter's codec (from {@link vswitchOptionsCodec}). */
  readonly codec: ReturnType<typeof vswitchOptionsCodec>;
  /** How errors name the device, e.g. `Open vSwitch` gives "options of Open vSwitch node-1". */
  readonly deviceLabel: string;
  /** The OVSDB remote when the options name none and the target has no address. */
  readonly defaultOvsdbRemote: string;
}

/**
 * Validates `options` and fills in the defaults.
 *
 * @throws InputError listing every problem (path: reason).
 * @example resolveVSwitchOptions({ name: 'node-1' }, { openflow: { connect: { host: '127.0.0.1', port: 6654 } } }, flavor).openflow // { mode: 'connect', host: '127.0.0.1', port: 6654 }
 */
export function resolveVSwitchOptions(target: DeviceTarget, options: unknown, flavor: OptionsFlavor): ResolvedVSwitchOptions {
  const what = `options of ${flavor.deviceLabel} ${target.name}`;
  const o = decodeOrThrow(flavor.codec, options ?? {}, what);
  const ovsdb = o.ovsdb ?? (target.address !== undefined ? `tcp:${target.address}:${target.port ?? 6640}` : flavor.defaultOvsdbRemote);
  if (!REMOTE.test(ovsdb)) throw InputError.fromProblems(what, [{ path: 'ovsdb', reason: `${JSON.stringify(ovsdb)} is not an OVSDB remote (unix:<path>, tcp:<ip>[:<port>], ssl:<ip>[:<port>])` }]);
  const of = o.openflow;
  const openflow: OpenFlowMode =
    of !== undefined && 'connect' in of
      ? { mode: 'connect', host: of.connect.host, port: of.connect.port }
      : { mode: 'listen', host: of?.listen?.host ?? DEFAULT_OPENFLOW_LISTEN.host, port: of?.listen?.port ?? DEFAULT_OPENFLOW_LISTEN.port };
  const tls: OvsdbTlsOptions | undefined = ovsdb.startsWith('ssl:')
    ? {
        ...(target.tls?.ca !== undefined ? { ca: target.tls.ca } : {}),
        ...(o.tlsCertificate !== undefined ? { cert: o.tlsCertificate } : {}),
        ...(target.credentials?.privateKey !== undefined ? { key: target.credentials.privateKey } : {}),
        ...(target.credentials?.password !== undefined ? { passphrase: target.credentials.password } : {}),
        rejectUnauthorized: target.tls?.verify ?? true,
        // Certificates made by ovs-pki name no host; the chain is still verified.
        verifyHostname: false,
      }
    : undefined;
  return {
    ovsdb,
    openflow,
    datapathType: o.datapathType,
    adoptBridges: o.adoptBridges ?? [],
    requestTimeoutMs: o.requestTimeoutMs ?? 15_000,
    vswitchdTimeoutMs: o.vswitchdTimeoutMs ?? 10_000,
    tls,
  };
}

/** The `Controller.target` a bridge gets so that netloom reaches it: `tcp:` (netloom listens) or `ptcp:` (it dials). */
export function controllerTarget(openflow: OpenFlowMode): string {
  const host = isIpv6(openflow.host) ? `[${openflow.host}]` : openflow.host;
  return openflow.mode === 'listen' ? `tcp:${host}:${openflow.port}` : `ptcp:${openflow.port}:${host}`;
}
