/**
 * Observe: reads the router with `ip -json` (and `ovs-vsctl --format=json` with OVS legs), validates every reply with
 * io-ts, and rebuilds exactly the fabric config the devices carry.
 *
 * - A namespace is a VRF when its name has the prefix, its `lo` carries a VRF marker and its name is the one the
 *   marker's VRF name derives (`netnsForVrf`); any other namespace is not netloom's and is never read further.
 * - A bridge with a segment marker is a segment: `l2Vni` and `name` from the marker, `vrf` from its namespace, the
 *   gateway addresses are the bridge's addresses as the kernel holds them, the gateway MAC the bridge's MAC when the
 *   marker says the segment names one. Addresses removed out of band therefore show as drift.
 * - An interface with a binding marker is a binding when it is the leg netloom would make for it (its name, an
 *   802.1Q device with that VLAN id on the uplink, or with OVS legs a veth whose OVS port has that tag) and it is a
 *   port of an owned segment's bridge in the same namespace (`l2Vni` from that bridge).
 * - A route of an owned VRF namespace's main table with protocol `static` is one of the VRF's static routes when it
 *   has the shape netloom writes (`ip route replace <prefix> via <nextHop> proto static`: unicast, one gateway, the
 *   kernel's default metric). The namespace is owned as a whole, so every such route is netloom's: one added by hand
 *   shows as drift and the next plan deletes it.
 *
 * Owned-looking devices that do not fit (hand-edited markers, a leg moved off its bridge) are left out and reported
 * to the logger; the next plan re-creates what is desired (the create fails with CommitError while the stray device
 * is in the way, which names it).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  DeviceConnectionError,
  DeviceProtocolError,
  FabricConfigCodec,
  L2SegmentCodec,
  StaticRouteCodec,
  VrfCodec,
  decodeProblems,
  type AccessBinding,
  type FabricConfig,
  type L2Segment,
  type Logger,
  type StaticRoute,
  type Vrf,
} from '@netloom/ports';
import { bindingKey } from '@netloom/ports';
import { bridgeForSegment, legForBinding, netnsForVrf, ovsPortForBinding, parseMarker } from './linux-router.names';
import type { RenderContext } from './linux-router.render';
import type { CommandResult, RouterRunner } from './linux-router.runner';

/** One address of `ip -json addr show` (the fields netloom reads). */
export const IpAddrInfoCodec = t.intersection([t.type({ family: t.string }), t.partial({ local: t.string, prefixlen: t.number, scope: t.string })], 'IpAddrInfo');
/** One interface of `ip -details -json addr show` (the fields netloom reads; others are ignored). */
export const IpLinkCodec = t.intersection(
  [
    t.type({ ifname: t.string }),
    t.partial({
      ifalias: t.string,
      address: t.string,
      master: t.string,
      linkinfo: t.partial({ info_kind: t.string, info_data: t.partial({ id: t.number }) }),
      addr_info: t.array(IpAddrInfoCodec),
    }),
  ],
  'IpLink',
);
/** One interface as `ip -json` reports it. */
export type IpLink = t.TypeOf<typeof IpLinkCodec>;
/** The reply of `ip -details -json addr show`. */
export const IpLinksCodec = t.array(IpLinkCodec, 'IpLinks');
/** The reply of `ip -json netns list` (empty output: no namespace). */
export const NetnsListCodec = t.array(t.intersection([t.type({ name: t.string }), t.partial({ id: t.number })]), 'NetnsList');
/** One route of `ip -details -json route show table all proto static` (the fields netloom reads; others are ignored). */
export const IpRouteCodec = t.intersection(
  [
    t.type({ dst: t.string }),
    t.partial({ type: t.string, gateway: t.string, table: t.string, metric: t.number, nexthops: t.array(t.unknown), nhid: t.number, via: t.unknown }),
  ],
  'IpRoute',
);
/** One route as `ip -json` reports it. */
export type IpRoute = t.TypeOf<typeof IpRouteCodec>;
/** The reply of `ip -details -json route show table all proto static`. */
export const IpRoutesCodec = t.array(IpRouteCodec, 'IpRoutes');

/** The reply of `ovs-vsctl --format=json --columns=name,tag list Port`. */
export const OvsPortTableCodec = t.type({ headings: t.array(t.string), data: t.array(t.array(t.unknown)) }, 'OvsPortTable');

const NOT_PERMITTED = /Operation not permitted|Permission denied/;

/** Runs a read; a refusal (not root) is a DeviceConnectionError, any other failure a DeviceProtocolError. */
export async function readCommand(runner: RouterRunner, device: string, argv: readonly string[]): Promise<CommandResult> {
  const r = await runner.run(argv);
  if (r.code === 0) return r;
  const text = r.stderr.trim();
  if (NOT_PERMITTED.test(text)) {
    throw new DeviceConnectionError(`${device} (${runner.where}): ${argv.join(' ')} was refused: ${text} (the router needs root or CAP_NET_ADMIN and CAP_SYS_ADMIN)`, { details: { device, stderr: text } });
  }
  throw new DeviceProtocolError(`${device} (${runner.where}): ${argv.join(' ')} failed (exit ${r.code}): ${text}`, { details: { device, stderr: text, code: r.code } });
}

/** Parses and validates a JSON reply. @throws DeviceProtocolError naming the path and the reason */
export function decodeReply<A>(codec: t.Type<A, unknown, unknown>, text: string, what: string, device: string): A {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? [] : JSON.parse(text);
  } catch (e) {
    throw new DeviceProtocolError(`${device}: ${what} is not JSON: ${e instanceof Error ? e.message : String(e)}`, { cause: e, details: { device } });
  }
  const r = decodeProblems(codec, parsed);
  if (r.value === undefined) {
    throw new DeviceProtocolError(`${device}: ${what} does not have the expected shape: ${r.problems.map((p) => `${p.path === '' ? '(top)' : p.path}: ${p.reason}`).join('; ')}`, { details: { device, problems: r.problems } });
  }
  return r.value;
}

/** The interfaces of `netns` (undefined: the router host's namespace). */
export async function readLinks(runner: RouterRunner, device: string, ctx: RenderContext, netns: string | undefined): Promise<IpLink[]> {
  const where = netns ?? ctx.hostNetns;
  const argv = [...(where === undefined ? ['ip'] : ['ip', '-n', where]), '-details', '-json', 'addr', 'show'];
  const r = await readCommand(runner, device, argv);
  return decodeReply(IpLinksCodec, r.stdout, argv.join(' '), device);
}

/**
 * The `proto static` routes of `netns`, both families, every table (`ip -n <netns> -details -json route show table all
 * proto static`).
 */
export async function readStaticRoutes(runner: RouterRunner, device: string, netns: string): Promise<IpRoute[]> {
  const argv = ['ip', '-n', netns, '-details', '-json', 'route', 'show', 'table', 'all', 'proto', 'static'];
  const r = await readCommand(runner, device, argv);
  return decodeReply(IpRoutesCodec, r.stdout, argv.join(' '), device);
}

/** The kernel's metric of a route added without one: 0 for IPv4, 1024 for IPv6. */
const defaultMetric = (v6: boolean): number => (v6 ? 1024 : 0);

/**
 * The static routes netloom wrote among `routes` (see the module documentation), sorted by prefix; every other
 * `proto static` route of the main table is described in `skipped` (each line starting with `where`); routes of other
 * tables are ignored.
 * @example staticRoutesOf([{ dst: '10.99.0.0/24', gateway: '10.60.1.250', type: 'unicast', table: 'main' }], []) // [{ prefix: '10.99.0.0/24', nextHop: '10.60.1.250' }]
 */
export function staticRoutesOf(routes: readonly IpRoute[], skipped: string[], where = ''): StaticRoute[] {
  const out = new Map<string, StaticRoute>();
  for (const route of routes) {
    if (route.table !== undefined && route.table !== 'main') continue;
    const gateway = route.gateway;
    const v6 = route.dst.includes(':') || (gateway ?? '').includes(':');
    const prefix = route.dst === 'default' ? (v6 ? '::/0' : '0.0.0.0/0') : route.dst.includes('/') ? route.dst : `${route.dst}/${v6 ? 128 : 32}`;
    const shape =
      (route.type ?? 'unicast') !== 'unicast'
        ? `type ${route.type ?? ''}`
        : gateway === undefined || route.nexthops !== undefined || route.nhid !== undefined || route.via !== undefined
          ? 'not one gateway'
          : (route.metric ?? defaultMetric(v6)) !== defaultMetric(v6)
            ? `metric ${route.metric ?? ''}`
            : undefined;
    const r = shape === undefined ? decodeProblems(StaticRouteCodec, { prefix, nextHop: gateway }) : undefined;
    if (r?.value === undefined || out.has(r.value.prefix)) {
      const why = shape ?? (r === undefined || r.value === undefined ? (r?.problems ?? []).map((p) => `${p.path}: ${p.reason}`).join('; ') : 'a second route to the prefix');
      skipped.push(`${where}route ${route.dst}${gateway === undefined ? '' : ` via ${gateway}`}: not a static route netloom writes (${why})`);
      continue;
    }
    out.set(r.value.prefix, r.value);
  }
  return [...out.keys()].sort().map((k) => out.get(k)!);
}

/** The names of every network namespace. */
export async function readNamespaces(runner: RouterRunner, device: string): Promise<string[]> {
  const argv = ['ip', '-json', 'netns', 'list'];
  const r = await readCommand(runner, device, argv);
  return decodeReply(NetnsListCodec, r.stdout, argv.join(' '), device).map((n) => n.name);
}

/** With OVS legs: the tag of every port of the OVS database (untagged ports: undefined). */
export async function readOvsTags(runner: RouterRunner, device: string, ctx: RenderContext): Promise<Map<string, number | undefined>> {
  const argv = ['ovs-vsctl', ...(ctx.ovs?.db === undefined ? [] : [`--db=${ctx.ovs.db}`]), '--format=json', '--columns=name,tag', 'list', 'Port'];
  const r = await readCommand(runner, device, argv);
  const table = decodeReply(OvsPortTableCodec, r.stdout, argv.join(' '), device);
  const nameAt = table.headings.indexOf('name');
  const tagAt = table.headings.indexOf('tag');
  if (nameAt < 0 || tagAt < 0) throw new DeviceProtocolError(`${device}: ${argv.join(' ')} has no name or tag column (headings ${JSON.stringify(table.headings)})`);
  const out = new Map<string, number | undefined>();
  for (const row of table.data) {
    const name = row[nameAt];
    const tag = row[tagAt];
    if (typeof name !== 'string') throw new DeviceProtocolError(`${device}: ${argv.join(' ')}: a port name is ${JSON.stringify(name)}, not a string`);
    out.set(name, typeof tag === 'number' && Number.isInteger(tag) ? tag : undefined);
  }
  return out;
}

/** What observe saw, before it is decoded (the harness reads foreign devices from the same reads). */
export interface RouterView {
  /** Interfaces per namespace; `''` is the router host's. */
  readonly links: ReadonlyMap<string, readonly IpLink[]>;
  /** The VRF namespaces netloom owns, with their VRF. */
  readonly vrfs: ReadonlyMap<string, Vrf>;
  /** Every namespace name with the prefix (owned or not). */
  readonly prefixed: readonly string[];
  readonly ovsTags?: ReadonlyMap<string, number | undefined>;
}

/** Options of {@link readRouter} and {@link readOwnedConfig}. */
export interface ReadOwnedOptions {
  readonly runner: RouterRunner;
  /** The device's name, for messages. */
  readonly device: string;
  readonly ctx: RenderContext;
  /** Where devices that look owned but do not fit are reported (warn). */
  readonly logger?: Logger;
}

const addressesOf = (link: IpLink): string[] =>
  (link.addr_info ?? [])
    .filter((a) => (a.family === 'inet' || a.family === 'inet6') && a.local !== undefined && a.prefixlen !== undefined && a.scope !== 'link' && a.scope !== 'host')
    .map((a) => `${a.local!}/${a.prefixlen!}`);

/** Reads every namespace netloom may own and their interfaces. */
export async function readRouter(opts: ReadOwnedOptions): Promise<RouterView> {
  const { runner, device, ctx } = opts;
  const skipped: string[] = [];
  const links = new Map<string, readonly IpLink[]>();
  links.set('', await readLinks(runner, device, ctx, undefined));
  const prefixed = (await readNamespaces(runner, device)).filter((n) => n.startsWith(ctx.netnsPrefix) && n !== ctx.hostNetns).sort();
  const vrfs = new Map<string, Vrf>();
  for (const ns of prefixed) {
    let nsLinks: IpLink[];
    try {
      nsLinks = await readLinks(runner, device, ctx, ns);
    } catch (e) {
      // A namespace deleted between the list and the read is simply gone.
      if (e instanceof DeviceProtocolError && /No such file|does not exist|Invalid argument/i.test(e.message)) continue;
      throw e;
    }
    const marker = parseMarker(nsLinks.find((l) => l.ifname === 'lo')?.ifalias);
    if (marker?.kind !== 'vrf') continue;
    const r = decodeProblems(VrfCodec, { key: marker.name, name: marker.name, l3Vni: marker.l3Vni, ...pick(marker, ['importRouteTargets', 'exportRouteTargets']) });
    if (r.value === undefined || netnsForVrf(ctx.netnsPrefix, r.value.name) !== ns) {
      skipped.push(`namespace ${ns}: its VRF marker does not fit (${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ') || 'another name'})`);
      continue;
    }
    let routes: IpRoute[];
    try {
      routes = await readStaticRoutes(runner, device, ns);
    } catch (e) {
      if (e instanceof DeviceProtocolError && /No such file|does not exist|Invalid argument/i.test(e.message)) continue;
      throw e;
    }
    const staticRoutes = staticRoutesOf(routes, skipped, `namespace ${ns}: `);
    vrfs.set(ns, staticRoutes.length === 0 ? r.value : { ...r.value, staticRoutes });
    links.set(ns, nsLinks);
  }
  if (skipped.length > 0) opts.logger?.warn({ skipped }, 'devices with a netloom marker that netloom did not write as they are');
  return { links, vrfs, prefixed, ...(ctx.ovs === undefined ? {} : { ovsTags: await readOvsTags(runner, device, ctx) }) };
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The fabric config a {@link RouterView} holds. @throws DeviceProtocolError (what was read does not make a valid config) */
export function configOfView(view: RouterView, opts: ReadOwnedOptions): FabricConfig {
  const { ctx, device } = opts;
  const skipped: string[] = [];
  const vrf: Record<string, Vrf> = {};
  const segment: Record<string, L2Segment> = {};
  const binding: Record<string, AccessBinding> = {};
  for (const v of view.vrfs.values()) vrf[v.key] = v;
  for (const [ns, links] of view.links) {
    const vrfName = ns === '' ? undefined : view.vrfs.get(ns)?.name;
    const bridges = new Map<string, number>();
    for (const link of links) {
      const m = parseMarker(link.ifalias);
      if (m?.kind !== 'segment') continue;
      if (link.linkinfo?.info_kind !== 'bridge' || link.ifname !== bridgeForSegment(m.l2Vni)) {
        skipped.push(`${ns || 'host'}/${link.ifname}: a segment marker on a device netloom did not make for it`);
        continue;
      }
      const addresses = addressesOf(link);
      const gateway =
        addresses.length === 0 || vrfName === undefined
          ? undefined
          : {
              ipv4: addresses.filter((a) => !a.includes(':')),
              ipv6: addresses.filter((a) => a.includes(':')),
              ...(m.mac === undefined || link.address === undefined ? {} : { mac: link.address }),
            };
      const input = {
        key: String(m.l2Vni),
        name: m.name,
        l2Vni: m.l2Vni,
        ...(vrfName === undefined ? {} : { vrf: vrfName }),
        ...(gateway === undefined
          ? {}
          : { anycastGateway: { ...(gateway.ipv4.length > 0 ? { ipv4: gateway.ipv4 } : {}), ...(gateway.ipv6.length > 0 ? { ipv6: gateway.ipv6 } : {}), ...(gateway.mac === undefined ? {} : { mac: gateway.mac }) } }),
      };
      const r = decodeProblems(L2SegmentCodec, input);
      if (r.value === undefined || segment[r.value.key] !== undefined) {
        skipped.push(`${ns || 'host'}/${link.ifname}: ${r.value === undefined ? r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ') : 'a second bridge of the same segment'}`);
        continue;
      }
      segment[r.value.key] = r.value;
      bridges.set(link.ifname, m.l2Vni);
    }
    for (const link of links) {
      const m = parseMarker(link.ifalias);
      if (m?.kind !== 'binding') continue;
      const why = legProblem(link, m, ctx, view);
      const l2Vni = link.master === undefined ? undefined : bridges.get(link.master);
      if (why !== undefined || l2Vni === undefined) {
        skipped.push(`${ns || 'host'}/${link.ifname}: ${why ?? 'not a port of a segment bridge netloom owns in its namespace'}`);
        continue;
      }
      const key = bindingKey({ interface: m.interface, vlan: m.vlan });
      binding[key] = { key, interface: m.interface, vlan: m.vlan, l2Vni } as AccessBinding;
    }
  }
  if (skipped.length > 0) opts.logger?.warn({ skipped }, 'devices with a netloom marker that netloom did not write as they are; plan re-creates them when desired');
  const r = decodeProblems(FabricConfigCodec, { vrf, interconnect: {}, segment, binding, floodVtep: {} });
  if (r.value === undefined) {
    throw new DeviceProtocolError(`${device}: the devices netloom owns do not make a valid fabric config: ${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`, { details: { device, problems: r.problems } });
  }
  return r.value;
}

function legProblem(link: IpLink, m: { readonly interface: string; readonly vlan: number }, ctx: RenderContext, view: RouterView): string | undefined {
  if (m.interface !== ctx.uplink) return `a binding marker for interface ${m.interface}, not the uplink ${ctx.uplink}`;
  if (link.ifname !== legForBinding(ctx.uplink, m.vlan)) return `a binding marker on a device netloom did not make for it`;
  if (ctx.ovs === undefined) {
    if (link.linkinfo?.info_kind !== 'vlan' || link.linkinfo.info_data?.id !== m.vlan) return `not an 802.1Q device with VLAN id ${m.vlan}`;
    return undefined;
  }
  if (link.linkinfo?.info_kind !== 'veth') return 'not a veth leg';
  const tag = view.ovsTags?.get(ovsPortForBinding(ctx.netnsPrefix, ctx.uplink, m.vlan));
  return tag === m.vlan ? undefined : `its OVS port has tag ${tag === undefined ? 'none' : String(tag)}, not ${m.vlan}`;
}

/**
 * Reads the router and rebuilds the fabric config netloom owns on it.
 * @throws DeviceProtocolError (a reply that does not validate), DeviceConnectionError, DeviceTimeoutError
 */
export async function readOwnedConfig(opts: ReadOwnedOptions): Promise<FabricConfig> {
  return configOfView(await readRouter(opts), opts);
}
