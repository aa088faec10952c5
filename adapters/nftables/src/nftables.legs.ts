/**
 * The zones' legs (port API 1.2, capability `legs`): the firewall's own interfaces in the zones' segments, made with
 * `ip`, `sysctl` and `ovs-vsctl` next to the nft table, and read back from the kernel and OVS.
 *
 * | leg | device |
 * |---|---|
 * | without `ovs` | an 802.1Q sub-interface `<interface>` of `<uplink>` with VLAN id `<vlan>`, in the firewall's namespace |
 * | with `ovs` | a veth pair: `<interface>` (MAC `02:` + 5 bytes of a hash, stable) in the firewall's namespace, its peer `nlf<8 hex>` an access port of the OVS bridge with `tag=<vlan>` |
 *
 * Every leg carries the address `<address>`, is up, has `rp_filter` loose (2: replies of a zone may come back on
 * another of its legs) and is marked as netloom's by its alias `netloom:leg:zone=<zone>,uplink=<uplink>`. With any
 * leg, the namespace forwards IPv4 (`net.ipv4.ip_forward=1`). Interfaces without the marker are never changed or
 * deleted.
 *
 * A leg reads back into its zone when it is exactly what netloom makes (the marker, the device kind, the VLAN id or
 * the OVS port's tag, the parent uplink, one address, up, rp_filter, forwarding) and its zone's interface set in the
 * nft table lists it; anything else is drift: the leg's interface then reads as a plain zone interface and the next
 * plan re-creates the leg (a marked interface that is not as written is deleted first).
 *
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import * as t from 'io-ts';
import { DeviceConnectionError, DeviceProtocolError, decodeProblems, firewallVocabulary, type FirewallConfig, type Leg, type Logger, type Zone } from '@netloom/ports';
import type { NftResult, NftRunner } from './nftables.runner';

/** Where and how the legs are made (from the adapter options). */
export interface LegContext {
  /** The firewall's namespace (absent: the machine's own). */
  readonly netns?: string;
  /** Legs as OVS access ports (see `NftablesOvsLegsCodec`); `netns`: where that OVS runs (absent: the machine's own). */
  readonly ovs?: { readonly bridge: string; readonly db?: string; readonly netns?: string };
}

/** A leg as netloom makes it: the leg of a config, with its zone. */
export interface LegState {
  readonly zone: string;
  readonly interface: string;
  readonly uplink: string;
  readonly vlan: number;
  readonly address: string;
}

/** An interface with a leg marker, as read: `state` when it is exactly what netloom makes, else why not. */
export interface ObservedLeg {
  readonly interface: string;
  readonly state?: LegState;
  /** Why it is not a leg as netloom makes it (absent when `state` is set). */
  readonly problem?: string;
}

/** One command of a leg change, with the commands that undo it (run newest first when the apply fails). */
export interface LegStep {
  readonly argv: readonly string[];
  readonly undo: readonly (readonly string[])[];
  /** The leg the step is for (absent: the namespace's forwarding switch). */
  readonly leg?: { readonly interface: string; readonly zone?: string };
}

/** The leg steps of one apply: `pre` before the nft script (creates, re-creates), `post` after it (deletes). */
export interface LegSteps {
  readonly pre: readonly LegStep[];
  readonly post: readonly LegStep[];
}

/** Every leg marker starts with this. */
export const LEG_MARKER = 'netloom:leg:';
const MARKER_PATTERN = /^netloom:leg:zone=([A-Za-z0-9][A-Za-z0-9._-]{0,62}),uplink=([A-Za-z0-9][A-Za-z0-9._-]{0,14})$/;

/** The alias that marks a leg as netloom's. @example legAlias('vpc-a', 'eth1') // 'netloom:leg:zone=vpc-a,uplink=eth1' */
export const legAlias = (zone: string, uplink: string): string => `${LEG_MARKER}zone=${zone},uplink=${uplink}`;

/** Reads a leg marker; undefined for any other alias. @example parseLegAlias('netloom:leg:zone=a,uplink=eth1') // { zone: 'a', uplink: 'eth1' } */
export function parseLegAlias(alias: string | undefined): { readonly zone: string; readonly uplink: string } | undefined {
  const m = alias === undefined ? null : MARKER_PATTERN.exec(alias);
  return m === null ? undefined : { zone: m[1]!, uplink: m[2]! };
}

/**
 * With `ovs`: the outer end of a leg's veth pair, the OVS access port in the namespace of the OVS (`ovs.netns`, else the
 * machine's own): `nlf` and 8 hex
 * digits of the firewall's namespace and the leg's interface, so firewalls sharing a host and a bridge never collide.
 * @example ovsPortForLeg('vfw1', 'leg101') // 'nlf' + 8 hex digits
 */
export const ovsPortForLeg = (netns: string | undefined, iface: string): string => `nlf${createHash('sha256').update(`${netns ?? '-'}|${iface}`).digest('hex').slice(0, 8)}`;

/**
 * With `ovs`: the MAC of a leg's inner end, locally administered and derived from the firewall's namespace and the
 * leg's interface, so a re-created leg answers with the MAC its neighbours already hold.
 * @example macForLeg('vfw1', 'leg101') // '02:' + 5 hex bytes
 */
export function macForLeg(netns: string | undefined, iface: string): string {
  const h = createHash('sha256').update(`mac|${netns ?? '-'}|${iface}`).digest('hex');
  return ['02', ...[0, 2, 4, 6, 8].map((i) => h.slice(i, i + 2))].join(':');
}

/** Every leg of `config`, by interface. */
export function legsOfConfig(config: Pick<FirewallConfig, 'zone'>): Map<string, LegState> {
  const out = new Map<string, LegState>();
  for (const z of Object.values(config.zone)) {
    for (const l of z.legs ?? []) out.set(l.interface, { zone: z.name, interface: l.interface, uplink: l.uplink, vlan: l.vlan, address: l.address });
  }
  return out;
}

/** The legs of `config` as observed legs (what plan compares with when it is handed an observed config). */
export const observedLegsOfConfig = (config: Pick<FirewallConfig, 'zone'>): Map<string, ObservedLeg> =>
  new Map([...legsOfConfig(config)].map(([k, state]) => [k, { interface: k, state }]));

// ---------------------------------------------------------------------------------------------------------------
// Commands

// `inFirewall`: in the firewall's namespace; otherwise in the namespace of its Open vSwitch (the legs' outer ends).
function ip(ctx: LegContext, inFirewall: boolean, ...args: string[]): string[] {
  const ns = inFirewall ? ctx.netns : ctx.ovs?.netns;
  return ns !== undefined ? ['ip', '-n', ns, ...args] : ['ip', ...args];
}

function sysctl(ctx: LegContext, ...assignments: string[]): string[] {
  return [...(ctx.netns === undefined ? [] : ['ip', 'netns', 'exec', ctx.netns]), 'sysctl', '-q', '-w', ...assignments];
}

function vsctl(ctx: LegContext, ...args: string[]): string[] {
  return ['ovs-vsctl', ...(ctx.ovs?.db === undefined ? [] : [`--db=${ctx.ovs.db}`]), ...args];
}

// NOTE: sysctl names use '/' as the separator so that an interface name with a '.' stays one component.
/** The sysctl key of a leg's rp_filter. */
export const rpFilterKey = (iface: string): string => `net/ipv4/conf/${iface}/rp_filter`;
/** The sysctl key of IPv4 forwarding. */
export const FORWARD_KEY = 'net.ipv4.ip_forward';

/** The step that turns IPv4 forwarding on in the firewall's namespace (its undo is set when the old value is known). */
export function forwardStep(ctx: LegContext, undoTo?: string): LegStep {
  return { argv: sysctl(ctx, `${FORWARD_KEY}=1`), undo: undoTo === undefined || undoTo === '1' ? [] : [sysctl(ctx, `${FORWARD_KEY}=${undoTo}`)] };
}

/** The commands that make `l` (the first one's undo removes it; the others go with it). */
function createLeg(ctx: LegContext, l: LegState, withOvsPort = true): LegStep[] {
  const leg = { interface: l.interface, zone: l.zone };
  // A veth leg gets a MAC of its own that does not change when the leg is re-created (hosts keep it in their ARP
  // caches); an 802.1Q leg keeps its uplink's.
  const mac = ctx.ovs === undefined ? [] : ['address', macForLeg(ctx.netns, l.interface)];
  const configure = [
    sysctl(ctx, `${rpFilterKey(l.interface)}=2`),
    ip(ctx, true, 'addr', 'add', l.address, 'dev', l.interface),
    // NOTE: the kernel ignores an alias given to `link add` (Linux 6.x): it is set with the link.
    ip(ctx, true, 'link', 'set', 'dev', l.interface, ...mac, 'alias', legAlias(l.zone, l.uplink), 'up'),
  ];
  if (ctx.ovs === undefined) {
    return [
      { argv: ip(ctx, true, 'link', 'add', 'link', l.uplink, 'name', l.interface, 'type', 'vlan', 'id', String(l.vlan)), undo: [ip(ctx, true, 'link', 'del', 'dev', l.interface)], leg },
      ...configure.map((argv) => ({ argv, undo: [], leg })),
    ];
  }
  const port = ovsPortForLeg(ctx.netns, l.interface);
  const into = ctx.netns === undefined ? [] : ['netns', ctx.netns];
  // The OVS port is a row of its own: deleting the veth does not remove it. A row left by a leg deleted out of band
  // goes first (in a transaction of its own: ovs-vswitchd would keep the old device for a row deleted and added in one).
  const stale = withOvsPort ? [{ argv: vsctl(ctx, '--if-exists', 'del-port', port), undo: [], leg }] : [];
  return [
    ...stale,
    { argv: ip(ctx, false, 'link', 'add', 'name', port, 'type', 'veth', 'peer', 'name', l.interface, ...into), undo: [ip(ctx, false, 'link', 'del', 'dev', port)], leg },
    ...configure.map((argv) => ({ argv, undo: [], leg })),
    { argv: ip(ctx, false, 'link', 'set', 'dev', port, 'up'), undo: [], leg },
    ...(withOvsPort ? [{ argv: vsctl(ctx, 'add-port', ctx.ovs.bridge, port, `tag=${l.vlan}`), undo: [vsctl(ctx, '--if-exists', 'del-port', port)], leg }] : []),
  ];
}

/** The commands that remove the marked interface `o` (and its OVS port); their undo re-creates it when it was as written. */
function deleteLeg(ctx: LegContext, o: ObservedLeg): LegStep[] {
  const leg = { interface: o.interface, ...(o.state === undefined ? {} : { zone: o.state.zone }) };
  const steps: LegStep[] = [];
  if (ctx.ovs !== undefined) {
    const port = ovsPortForLeg(ctx.netns, o.interface);
    steps.push({ argv: vsctl(ctx, '--if-exists', 'del-port', port), undo: o.state === undefined ? [] : [vsctl(ctx, 'add-port', ctx.ovs.bridge, port, `tag=${o.state.vlan}`)], leg });
  }
  // Deleting one end of a veth pair deletes both.
  const undo = o.state === undefined ? [] : createLeg(ctx, o.state, false).map((s) => s.argv);
  steps.push({ argv: ip(ctx, true, 'link', 'del', 'dev', o.interface), undo, leg });
  return steps;
}

const sameLeg = (a: LegState | undefined, b: LegState): boolean =>
  a !== undefined && a.zone === b.zone && a.interface === b.interface && a.uplink === b.uplink && a.vlan === b.vlan && a.address === b.address;

const sorted = <T>(m: ReadonlyMap<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);

/**
 * The leg steps from the marked interfaces on the device (`from`) to the legs of the next config (`to`): a leg that
 * is missing, or not exactly as wanted, is (re-)created before the nft script; a marked interface no leg wants is
 * deleted after it. Forwarding is switched on first whenever a leg is created.
 * @example renderLegSteps(observed.legs, legsOfConfig(desired), { netns: 'vfw1' }).pre.map((s) => s.argv)
 */
export function renderLegSteps(from: ReadonlyMap<string, ObservedLeg>, to: ReadonlyMap<string, LegState>, ctx: LegContext): LegSteps {
  const pre: LegStep[] = [];
  const post: LegStep[] = [];
  for (const o of sorted(from)) {
    const want = to.get(o.interface);
    if (want === undefined) post.push(...deleteLeg(ctx, o));
    else if (!sameLeg(o.state, want)) pre.push(...deleteLeg(ctx, o));
  }
  for (const l of sorted(to)) if (!sameLeg(from.get(l.interface)?.state, l)) pre.push(...createLeg(ctx, l));
  if (pre.length > 0 && to.size > 0) pre.unshift(forwardStep(ctx));
  return { pre, post };
}

// ---------------------------------------------------------------------------------------------------------------
// Observe

/** One address of `ip -json addr show` (the fields read). */
export const IpAddrInfoCodec = t.intersection([t.type({ family: t.string }), t.partial({ local: t.string, prefixlen: t.number, scope: t.string })], 'IpAddrInfo');
/** One interface of `ip -details -json addr show` (the fields read; others are ignored). */
export const IpLinkCodec = t.intersection(
  [
    t.type({ ifname: t.string }),
    t.partial({
      ifalias: t.string,
      link: t.string,
      flags: t.array(t.string),
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
/** The reply of `ovs-vsctl --format=json --columns=name,tag list Port`. */
export const OvsPortTableCodec = t.type({ headings: t.array(t.string), data: t.array(t.array(t.unknown)) }, 'OvsPortTable');

const NOT_PERMITTED = /Operation not permitted|Permission denied/;

/** Runs a read; a refusal (not root) is a DeviceConnectionError, any other failure a DeviceProtocolError. */
async function read(runner: NftRunner, device: string, argv: readonly string[]): Promise<NftResult> {
  const r = await runner.exec(argv);
  if (r.code === 0) return r;
  const text = r.stderr.trim();
  if (NOT_PERMITTED.test(text)) {
    throw new DeviceConnectionError(`${device} (${runner.where}): ${argv.join(' ')} was refused: ${text} (legs need root or CAP_NET_ADMIN)`, { details: { device, stderr: text } });
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
    throw new DeviceProtocolError(`${device}: ${what} does not have the expected shape: ${r.problems.map((p) => `${p.path === '' ? '(top)' : p.path}: ${p.reason}`).join('; ')}`, {
      details: { device, problems: r.problems },
    });
  }
  return r.value;
}

/** The interfaces of the firewall's namespace. */
export async function readLinks(runner: NftRunner, device: string, ctx: LegContext): Promise<IpLink[]> {
  const argv = ip(ctx, true, '-details', '-json', 'addr', 'show');
  return decodeReply(IpLinksCodec, (await read(runner, device, argv)).stdout, argv.join(' '), device);
}

/** The tag of every OVS port (untagged: undefined). */
export async function readOvsTags(runner: NftRunner, device: string, ctx: LegContext): Promise<Map<string, number | undefined>> {
  const argv = vsctl(ctx, '--format=json', '--columns=name,tag', 'list', 'Port');
  const table = decodeReply(OvsPortTableCodec, (await read(runner, device, argv)).stdout, argv.join(' '), device);
  const nameAt = table.headings.indexOf('name');
  const tagAt = table.headings.indexOf('tag');
  if (nameAt < 0 || tagAt < 0) throw new DeviceProtocolError(`${device}: ${argv.join(' ')} has no name or tag column (headings ${JSON.stringify(table.headings)})`);
  const out = new Map<string, number | undefined>();
  table.data.forEach((row, i) => {
    const name = row[nameAt];
    const tag = row[tagAt];
    if (typeof name !== 'string') throw new DeviceProtocolError(`${device}: ${argv.join(' ')}: data[${i}][${nameAt}] (name) is ${JSON.stringify(name)}, not a string`);
    out.set(name, typeof tag === 'number' && Number.isInteger(tag) ? tag : undefined);
  });
  return out;
}

/** Reads sysctl values in the firewall's namespace, in the order of `keys`. */
async function readSysctls(runner: NftRunner, device: string, ctx: LegContext, keys: readonly string[]): Promise<string[]> {
  const argv = [...(ctx.netns === undefined ? [] : ['ip', 'netns', 'exec', ctx.netns]), 'sysctl', '-n', ...keys];
  const values = (await read(runner, device, argv)).stdout.split('\n').map((v) => v.trim()).filter((v) => v !== '');
  if (values.length !== keys.length) throw new DeviceProtocolError(`${device}: ${argv.join(' ')} gave ${values.length} value(s) for ${keys.length} key(s)`);
  return values;
}

/** IPv4 forwarding in the firewall's namespace now (`'0'`, `'1'`). */
export async function readForwarding(runner: NftRunner, device: string, ctx: LegContext): Promise<string> {
  return (await readSysctls(runner, device, ctx, [FORWARD_KEY]))[0]!;
}

/** What {@link readLegs} saw. */
export interface LegView {
  /** Every interface with a leg marker, by name. */
  readonly legs: ReadonlyMap<string, ObservedLeg>;
  /** Every interface of the firewall's namespace (the uplinks 802.1Q legs need are among them). */
  readonly links: readonly IpLink[];
}

const globalIpv4 = (link: IpLink): string[] =>
  (link.addr_info ?? []).filter((a) => a.family === 'inet' && a.local !== undefined && a.prefixlen !== undefined && a.scope !== 'link' && a.scope !== 'host').map((a) => `${a.local!}/${a.prefixlen!}`);

/**
 * Reads every interface of the firewall's namespace with a leg marker and checks it is exactly what netloom makes.
 * @throws DeviceProtocolError (a reply that does not validate), DeviceConnectionError, DeviceTimeoutError
 */
export async function readLegs(runner: NftRunner, device: string, ctx: LegContext): Promise<LegView> {
  const links = await readLinks(runner, device, ctx);
  const marked = links.filter((l) => parseLegAlias(l.ifalias) !== undefined);
  const legs = new Map<string, ObservedLeg>();
  if (marked.length === 0) return { legs, links };
  const tags = ctx.ovs === undefined ? undefined : await readOvsTags(runner, device, ctx);
  const [forwarding, ...rpFilters] = await readSysctls(runner, device, ctx, [FORWARD_KEY, ...marked.map((l) => rpFilterKey(l.ifname))]);
  marked.forEach((link, i) => {
    const m = parseLegAlias(link.ifalias)!;
    const problems: string[] = [];
    let vlan: number | undefined;
    if (ctx.ovs === undefined) {
      if (link.linkinfo?.info_kind !== 'vlan' || link.linkinfo.info_data?.id === undefined) problems.push('not an 802.1Q device');
      else vlan = link.linkinfo.info_data.id;
      if (link.link !== m.uplink) problems.push(`its parent is ${link.link ?? 'none'}, not the uplink ${m.uplink}`);
    } else {
      const port = ovsPortForLeg(ctx.netns, link.ifname);
      if (link.linkinfo?.info_kind !== 'veth') problems.push('not a veth leg');
      vlan = tags?.get(port);
      if (vlan === undefined) problems.push(`its OVS port ${port} is missing or has no tag`);
    }
    const addresses = globalIpv4(link);
    if (addresses.length !== 1) problems.push(`it has ${addresses.length} IPv4 addresses, not one`);
    if (!(link.flags ?? []).includes('UP')) problems.push('it is down');
    if (rpFilters[i] !== '0' && rpFilters[i] !== '2') problems.push(`its rp_filter is ${rpFilters[i] ?? '?'} (strict), not loose`);
    if (forwarding !== '1') problems.push(`the namespace does not forward IPv4 (${FORWARD_KEY}=${forwarding ?? '?'})`);
    legs.set(
      link.ifname,
      problems.length === 0 && vlan !== undefined
        ? { interface: link.ifname, state: { zone: m.zone, interface: link.ifname, uplink: m.uplink, vlan, address: addresses[0]! } }
        : { interface: link.ifname, problem: problems.join('; ') },
    );
  });
  return { legs, links };
}

/**
 * `config` (read from the nft table) with every observed leg moved into its zone: a leg whose zone's interface set
 * lists it leaves `interfaces` for `legs`. Legs that are not as written, or whose zone does not list them, stay out
 * (reported to `logger`): the next plan repairs them.
 * @throws DeviceProtocolError when the result is not a valid config
 */
export function attachLegs(config: FirewallConfig, legs: ReadonlyMap<string, ObservedLeg>, device: string, logger?: Logger): FirewallConfig {
  if (legs.size === 0) return config;
  const skipped: string[] = [];
  const zone: Record<string, Zone> = {};
  const placed = new Set<string>();
  for (const [key, z] of Object.entries(config.zone)) {
    const mine: Leg[] = [];
    const interfaces = z.interfaces.filter((i) => {
      const s = legs.get(i)?.state;
      if (s === undefined || s.zone !== z.name) return true;
      mine.push({ interface: s.interface, uplink: s.uplink, vlan: s.vlan, address: s.address } as Leg);
      placed.add(i);
      return false;
    });
    zone[key] = mine.length === 0 ? z : { ...z, interfaces, legs: mine };
  }
  for (const o of legs.values()) {
    if (o.state === undefined) skipped.push(`${o.interface}: ${o.problem ?? 'not as netloom makes a leg'}`);
    else if (!placed.has(o.interface)) skipped.push(`${o.interface}: a leg of zone ${o.state.zone}, which does not list it in the table`);
  }
  if (skipped.length > 0) logger?.warn({ skipped }, 'interfaces with a netloom leg marker that are not legs as netloom wrote them; plan repairs them when desired');
  const r = decodeProblems(firewallVocabulary.configCodec, { ...config, zone });
  if (r.value === undefined) {
    throw new DeviceProtocolError(`${device}: the table and the legs do not form a valid firewall config: ${r.problems.map((p) => `${p.path}: ${p.reason}`).join('; ')}`, {
      details: { device, problems: r.problems },
    });
  }
  return r.value;
}
