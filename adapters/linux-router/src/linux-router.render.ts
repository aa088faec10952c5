/**
 * From a fabric config to the Linux devices that carry it, and from one set of devices to another as a list of
 * commands, each with the commands that undo it.
 *
 * A config becomes a {@link RouterModel} (namespaces, bridges, legs, static routes, each with every attribute netloom
 * sets). The steps from model `from` to model `to` run in this order: deletes first (static routes, legs, bridges,
 * then namespaces, so a VLAN id is free again before it is reused and nothing is left to the kernel's asynchronous
 * namespace cleanup), then creates and updates (namespaces, bridges, legs, and static routes last: a next hop must be
 * on-link, so the segments and their gateway addresses exist first). Every step is one `ip`, `sysctl` (via `ip netns
 * exec`) or `ovs-vsctl` argument vector; its `undo` steps put back exactly what it changed, computed from `from`. A
 * step whose effect disappears with an earlier step's undo (an address on a bridge the undo deletes) has no undo of
 * its own.
 *
 * Static routes and the kernel: deleting a bridge, or the last IPv4 address of one, flushes the routes through it.
 * So in a namespace that keeps living but loses a bridge or a gateway address in the change, every static route is
 * deleted first and the desired ones are put in again last (the undo of those deletes runs last, after the bridges
 * and addresses are back). A namespace that is deleted takes its routes with it: no command for them, and the undo
 * of the change's first step puts them back after everything else is restored. Otherwise a route that changes only
 * its next hop is one `ip route replace` (no gap in forwarding).
 *
 * @packageDocumentation
 */
import { formatCidr, formatIp, parseCidr, tryParseCidr, tryParseIp } from '@netloom/domain';
import { InputError, type FabricConfig, type InputProblem } from '@netloom/ports';
import { assertAliasFits, bindingAlias, bridgeForSegment, legForBinding, netnsForVrf, ovsPortForBinding, segmentAlias, vrfAlias } from './linux-router.names';

/** Where and how the router's devices live (from the adapter options). */
export interface RenderContext {
  /** The router host's namespace (absent: the adapter's own). */
  readonly hostNetns?: string;
  readonly uplink: string;
  readonly netnsPrefix: string;
  /** Bindings as OVS access ports (see `OvsLegsCodec`). */
  readonly ovs?: { readonly bridge: string; readonly db?: string };
}

/** A VRF namespace as netloom sets it up. */
export interface NamespaceState {
  readonly name: string;
  /** The marker on its `lo`. */
  readonly alias: string;
}

/** A segment's bridge as netloom sets it up. */
export interface BridgeState {
  /** Its namespace (undefined: the router host's). */
  readonly netns: string | undefined;
  readonly name: string;
  readonly alias: string;
  /** The MAC netloom sets (the anycast gateway MAC), if any. */
  readonly mac?: string;
  /** Interface addresses (`10.1.0.1/24`, `fd00:1::1/64`), sorted. */
  readonly addresses: readonly string[];
}

/** A binding's interface (a leg of the uplink into a segment's bridge) as netloom sets it up. */
export interface LegState {
  readonly netns: string | undefined;
  readonly name: string;
  readonly alias: string;
  /** The bridge it is a port of. */
  readonly bridge: string;
  readonly vlan: number;
  /** With `ovs`: the outer end of the veth pair, an OVS access port. */
  readonly ovsPort?: string;
}

/** A static route of a VRF as netloom sets it up: `ip -n <netns> route replace <prefix> via <nextHop> proto static`. */
export interface RouteState {
  /** The VRF's namespace. */
  readonly netns: string;
  /** The VRF's name (for messages). */
  readonly vrf: string;
  /** Canonical CIDR (`10.99.0.0/24`, `fd00:99::/64`). */
  readonly prefix: string;
  /** Canonical address of the prefix's family. */
  readonly nextHop: string;
}

/** Every device netloom owns on the router, by `<netns>/<name>` (namespaces by name, routes by `<netns>/<prefix>`). */
export interface RouterModel {
  readonly namespaces: ReadonlyMap<string, NamespaceState>;
  readonly bridges: ReadonlyMap<string, BridgeState>;
  readonly legs: ReadonlyMap<string, LegState>;
  readonly routes: ReadonlyMap<string, RouteState>;
}

/** One command and the commands that undo it. */
export interface Step {
  readonly argv: readonly string[];
  readonly undo: readonly (readonly string[])[];
  /** What the step is about, when the command alone does not say it plainly (error messages). */
  readonly what?: string;
}

const id = (netns: string | undefined, name: string): string => `${netns ?? ''}/${name}`;

/** Every problem that keeps `config` off this router (beyond the codecs and capabilities). */
export function renderableProblems(config: FabricConfig, ctx: RenderContext): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const [k, b] of Object.entries(config.binding)) {
    if (b.interface !== ctx.uplink) problems.push({ path: `binding[${JSON.stringify(k)}].interface`, reason: `${JSON.stringify(b.interface)} is not this router's uplink ${JSON.stringify(ctx.uplink)} (a Linux router has one uplink trunk)` });
  }
  for (const [k, s] of Object.entries(config.segment)) {
    for (const a of s.anycastGateway?.ipv6 ?? []) {
      if (/^fe[89ab]/i.test(a)) problems.push({ path: `segment[${JSON.stringify(k)}].anycastGateway.ipv6`, reason: `${a} is link-local; a gateway address here must be global` });
    }
  }
  for (const [k, v] of Object.entries(config.vrf)) {
    try {
      assertAliasFits(vrfAlias(v), `vrf[${JSON.stringify(k)}]`);
    } catch (e) {
      problems.push(...((e as InputError).problems ?? []));
    }
    // The connected subnets of the VRF's gateways: a static route to one of them would replace the kernel's own route.
    const connected = new Map<string, string>();
    for (const s of Object.values(config.segment)) {
      if (s.vrf !== v.name) continue;
      for (const a of [...(s.anycastGateway?.ipv4 ?? []), ...(s.anycastGateway?.ipv6 ?? [])]) connected.set(formatCidr(parseCidr(a, { strict: false })), s.key);
    }
    (v.staticRoutes ?? []).forEach((r, i) => {
      const path = `vrf[${JSON.stringify(k)}].staticRoutes[${i}]`;
      const bad = staticRouteProblem(r.prefix, r.nextHop);
      if (bad !== undefined) problems.push({ path, reason: bad });
      const segment = connected.get(r.prefix);
      if (segment !== undefined) problems.push({ path: `${path}.prefix`, reason: `${r.prefix} is the subnet of segment ${segment}'s gateway in this VRF; a static route to it would replace the connected route` });
    });
  }
  return problems;
}

/**
 * Why `prefix` via `nextHop` cannot become `ip route` arguments as they are, or undefined when they can: the prefix a
 * canonical CIDR with its host bits clear, the next hop a canonical address of the same family. The port's codec
 * checks this already; the render checks it again because these values become arguments of `ip`.
 * @example staticRouteProblem('10.99.0.0/24', '10.60.1.250') // undefined
 */
export function staticRouteProblem(prefix: string, nextHop: string): string | undefined {
  const cidr = tryParseCidr(prefix);
  if (cidr === undefined || formatCidr(cidr) !== prefix) return `prefix ${JSON.stringify(prefix)} is not a canonical CIDR`;
  const hop = tryParseIp(nextHop);
  if (hop === undefined || formatIp(hop) !== nextHop) return `next hop ${JSON.stringify(nextHop)} is not a canonical IP address`;
  if (hop.family !== cidr.family) return `next hop ${nextHop} is not of the family of prefix ${prefix}`;
  return undefined;
}

/** @throws InputError naming every problem of {@link renderableProblems} */
export function assertRenderable(config: FabricConfig, ctx: RenderContext, subject: string): void {
  const problems = renderableProblems(config, ctx);
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
}

/** The devices that carry `config` on the router. */
export function modelOf(config: FabricConfig, ctx: RenderContext): RouterModel {
  const namespaces = new Map<string, NamespaceState>();
  const bridges = new Map<string, BridgeState>();
  const legs = new Map<string, LegState>();
  const routes = new Map<string, RouteState>();
  const nsOfVrf = (vrf: string | undefined): string | undefined => (vrf === undefined ? undefined : netnsForVrf(ctx.netnsPrefix, vrf));
  for (const v of Object.values(config.vrf)) {
    const name = netnsForVrf(ctx.netnsPrefix, v.name);
    namespaces.set(name, { name, alias: vrfAlias(v) });
    for (const r of v.staticRoutes ?? []) {
      const bad = staticRouteProblem(r.prefix, r.nextHop);
      if (bad !== undefined) throw new InputError(`vrf ${JSON.stringify(v.name)}: static route: ${bad}`, [{ path: `vrf[${JSON.stringify(v.key)}].staticRoutes`, reason: bad }]);
      routes.set(id(name, r.prefix), { netns: name, vrf: v.name, prefix: r.prefix, nextHop: r.nextHop });
    }
  }
  const segmentNs = new Map<number, string | undefined>();
  for (const s of Object.values(config.segment)) {
    const netns = nsOfVrf(s.vrf);
    segmentNs.set(s.l2Vni, netns);
    const mac = s.anycastGateway?.mac;
    const name = bridgeForSegment(s.l2Vni);
    const addresses = [...(s.anycastGateway?.ipv4 ?? []), ...(s.anycastGateway?.ipv6 ?? [])].sort();
    bridges.set(id(netns, name), { netns, name, alias: segmentAlias({ l2Vni: s.l2Vni, name: s.name, ...(mac === undefined ? {} : { mac }) }), ...(mac === undefined ? {} : { mac }), addresses });
  }
  for (const b of Object.values(config.binding)) {
    const netns = segmentNs.get(b.l2Vni);
    const name = legForBinding(ctx.uplink, b.vlan);
    legs.set(id(netns, name), {
      netns,
      name,
      alias: bindingAlias(b.key),
      bridge: bridgeForSegment(b.l2Vni),
      vlan: b.vlan,
      ...(ctx.ovs === undefined ? {} : { ovsPort: ovsPortForBinding(ctx.netnsPrefix, ctx.uplink, b.vlan) }),
    });
  }
  return { namespaces, bridges, legs, routes };
}

/** `ip` in `netns` (undefined: the router host's namespace). */
function ip(ctx: RenderContext, netns: string | undefined, ...args: string[]): string[] {
  const where = netns ?? ctx.hostNetns;
  return where === undefined ? ['ip', ...args] : ['ip', '-n', where, ...args];
}

function vsctl(ctx: RenderContext, ...args: string[]): string[] {
  return ['ovs-vsctl', ...(ctx.ovs?.db === undefined ? [] : [`--db=${ctx.ovs.db}`]), ...args];
}

const isV6 = (address: string): boolean => address.includes(':');

function addAddress(ctx: RenderContext, b: BridgeState, address: string): string[] {
  return ip(ctx, b.netns, 'addr', 'add', address, 'dev', b.name, ...(isV6(address) ? ['nodad'] : []));
}

const delAddress = (ctx: RenderContext, b: BridgeState, address: string): string[] => ip(ctx, b.netns, 'addr', 'del', address, 'dev', b.name);

const replaceRoute = (r: RouteState): string[] => ['ip', '-n', r.netns, 'route', 'replace', r.prefix, 'via', r.nextHop, 'proto', 'static'];
const deleteRoute = (r: RouteState): string[] => ['ip', '-n', r.netns, 'route', 'del', r.prefix, 'via', r.nextHop, 'proto', 'static'];
const aboutRoute = (r: RouteState): string => `static route ${r.prefix} via ${r.nextHop} of vrf ${JSON.stringify(r.vrf)}`;

/**
 * The namespaces that stay but lose a bridge or a gateway address from `from` to `to`: the kernel may flush their
 * routes on the way, so their routes are deleted first and put in again last.
 */
function unsettledNamespaces(from: RouterModel, to: RouterModel): Set<string> {
  const out = new Set<string>();
  for (const b of from.bridges.values()) {
    if (b.netns === undefined || !to.namespaces.has(b.netns)) continue;
    const next = to.bridges.get(id(b.netns, b.name));
    if (next === undefined || b.addresses.some((a) => !next.addresses.includes(a))) out.add(b.netns);
  }
  return out;
}

/** The commands that create a namespace (the first one is what its undo deletes). */
function createNamespace(ns: NamespaceState): string[][] {
  return [
    ['ip', 'netns', 'add', ns.name],
    // Forwarding is per namespace and off in a new one; IPv6 forwarding also stops the namespace taking RAs.
    ['ip', 'netns', 'exec', ns.name, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1'],
    ['ip', '-n', ns.name, 'link', 'set', 'dev', 'lo', 'alias', ns.alias, 'up'],
  ];
}

function createBridge(ctx: RenderContext, b: BridgeState): string[][] {
  return [
    ip(ctx, b.netns, 'link', 'add', 'name', b.name, ...(b.mac === undefined ? [] : ['address', b.mac]), 'type', 'bridge'),
    // NOTE: the kernel ignores an alias given to `link add` (Linux 6.x): it is set with the link. No kernel-made
    // link-local address either: every address on the bridge is the segment's gateway.
    ip(ctx, b.netns, 'link', 'set', 'dev', b.name, 'alias', b.alias, 'addrgenmode', 'none', 'up'),
    ...b.addresses.map((a) => addAddress(ctx, b, a)),
  ];
}

function createLeg(ctx: RenderContext, l: LegState): string[][] {
  const into = l.netns === undefined ? [] : ['netns', l.netns];
  if (l.ovsPort === undefined) {
    return [
      ip(ctx, undefined, 'link', 'add', 'link', ctx.uplink, 'name', l.name, ...into, 'type', 'vlan', 'id', String(l.vlan)),
      ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'alias', l.alias, 'master', l.bridge, 'up'),
    ];
  }
  return [
    ip(ctx, undefined, 'link', 'add', 'name', l.ovsPort, 'type', 'veth', 'peer', 'name', l.name, ...into),
    ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'alias', l.alias, 'master', l.bridge, 'up'),
    ip(ctx, undefined, 'link', 'set', 'dev', l.ovsPort, 'up'),
    vsctl(ctx, 'add-port', ctx.ovs!.bridge, l.ovsPort, `tag=${l.vlan}`),
  ];
}

/** Steps that create: the first step's undo removes the object; the others go with it. */
function creating(commands: readonly string[][], remove: readonly (readonly string[])[]): Step[] {
  return commands.map((argv, i) => ({ argv, undo: i === 0 ? remove : [] }));
}

const sortedValues = <T>(m: ReadonlyMap<string, T>): T[] => [...m.keys()].sort().map((k) => m.get(k)!);

/**
 * The steps that turn the devices of `from` into those of `to`.
 * @example renderSteps(modelOf(observed, ctx), modelOf(desired, ctx), ctx).map((s) => s.argv)
 */
export function renderSteps(from: RouterModel, to: RouterModel, ctx: RenderContext): Step[] {
  const steps: Step[] = [];
  const unsettled = unsettledNamespaces(from, to);
  // Deletes: static routes (those of a namespace being deleted go with it), legs, bridges, namespaces.
  for (const r of sortedValues(from.routes)) {
    if (!to.namespaces.has(r.netns)) continue;
    if (!unsettled.has(r.netns) && to.routes.has(id(r.netns, r.prefix))) continue;
    steps.push({ argv: deleteRoute(r), undo: [replaceRoute(r)], what: aboutRoute(r) });
  }
  for (const l of sortedValues(from.legs)) {
    const next = to.legs.get(id(l.netns, l.name));
    if (next !== undefined && next.vlan === l.vlan && next.ovsPort === l.ovsPort) continue;
    if (l.ovsPort === undefined) steps.push({ argv: ip(ctx, l.netns, 'link', 'del', 'dev', l.name), undo: createLeg(ctx, l) });
    else {
      steps.push({ argv: vsctl(ctx, 'del-port', ctx.ovs!.bridge, l.ovsPort), undo: [vsctl(ctx, 'add-port', ctx.ovs!.bridge, l.ovsPort, `tag=${l.vlan}`)] });
      steps.push({ argv: ip(ctx, undefined, 'link', 'del', 'dev', l.ovsPort), undo: createLeg(ctx, l).slice(0, 3) });
    }
  }
  for (const b of sortedValues(from.bridges)) {
    if (to.bridges.has(id(b.netns, b.name))) continue;
    steps.push({ argv: ip(ctx, b.netns, 'link', 'del', 'dev', b.name), undo: createBridge(ctx, b) });
  }
  for (const ns of sortedValues(from.namespaces)) {
    if (to.namespaces.has(ns.name)) continue;
    steps.push({ argv: ['ip', 'netns', 'del', ns.name], undo: createNamespace(ns) });
  }
  // The routes of deleted namespaces come back with the undo of the first step: it runs last, when their namespaces,
  // bridges and addresses are back.
  const lost = sortedValues(from.routes).filter((r) => !to.namespaces.has(r.netns));
  const first = steps[0];
  if (lost.length > 0 && first !== undefined) steps[0] = { ...first, undo: [...first.undo, ...lost.map(replaceRoute)] };
  // Creates and updates: namespaces, bridges, legs.
  for (const ns of sortedValues(to.namespaces)) {
    const before = from.namespaces.get(ns.name);
    if (before === undefined) steps.push(...creating(createNamespace(ns), [['ip', 'netns', 'del', ns.name]]));
    else if (before.alias !== ns.alias) steps.push({ argv: ['ip', '-n', ns.name, 'link', 'set', 'dev', 'lo', 'alias', ns.alias], undo: [['ip', '-n', ns.name, 'link', 'set', 'dev', 'lo', 'alias', before.alias]] });
  }
  for (const b of sortedValues(to.bridges)) {
    const before = from.bridges.get(id(b.netns, b.name));
    if (before === undefined) {
      steps.push(...creating(createBridge(ctx, b), [ip(ctx, b.netns, 'link', 'del', 'dev', b.name)]));
      continue;
    }
    if (before.alias !== b.alias) steps.push({ argv: ip(ctx, b.netns, 'link', 'set', 'dev', b.name, 'alias', b.alias), undo: [ip(ctx, b.netns, 'link', 'set', 'dev', b.name, 'alias', before.alias)] });
    // A MAC netloom no longer sets stays as it is (the marker no longer claims it); an old random MAC cannot be put back.
    if (b.mac !== undefined && b.mac !== before.mac) {
      steps.push({ argv: ip(ctx, b.netns, 'link', 'set', 'dev', b.name, 'address', b.mac), undo: before.mac === undefined ? [] : [ip(ctx, b.netns, 'link', 'set', 'dev', b.name, 'address', before.mac)] });
    }
    for (const a of before.addresses) if (!b.addresses.includes(a)) steps.push({ argv: delAddress(ctx, b, a), undo: [addAddress(ctx, b, a)] });
    for (const a of b.addresses) if (!before.addresses.includes(a)) steps.push({ argv: addAddress(ctx, b, a), undo: [delAddress(ctx, b, a)] });
  }
  for (const l of sortedValues(to.legs)) {
    const before = from.legs.get(id(l.netns, l.name));
    if (before === undefined || before.vlan !== l.vlan || before.ovsPort !== l.ovsPort) {
      const remove = l.ovsPort === undefined ? [ip(ctx, l.netns, 'link', 'del', 'dev', l.name)] : [ip(ctx, undefined, 'link', 'del', 'dev', l.ovsPort)];
      const commands = createLeg(ctx, l);
      steps.push(...creating(commands, remove));
      // The OVS port is a row of its own: deleting the veth does not remove it.
      if (l.ovsPort !== undefined) steps[steps.length - 1] = { argv: commands[commands.length - 1]!, undo: [vsctl(ctx, 'del-port', ctx.ovs!.bridge, l.ovsPort)] };
      continue;
    }
    if (before.bridge !== l.bridge) steps.push({ argv: ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'master', l.bridge), undo: [ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'master', before.bridge)] });
    if (before.alias !== l.alias) steps.push({ argv: ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'alias', l.alias), undo: [ip(ctx, l.netns, 'link', 'set', 'dev', l.name, 'alias', before.alias)] });
  }
  // Static routes last: their next hops are on-link through the bridges and addresses above.
  for (const r of sortedValues(to.routes)) {
    const before = from.routes.get(id(r.netns, r.prefix));
    if (before === undefined || unsettled.has(r.netns)) steps.push({ argv: replaceRoute(r), undo: [deleteRoute(r)], what: aboutRoute(r) });
    else if (before.nextHop !== r.nextHop) steps.push({ argv: replaceRoute(r), undo: [replaceRoute(before)], what: aboutRoute(r) });
  }
  return steps;
}

const PLAIN_WORD = /^[A-Za-z0-9._:/=@%+,-]+$/;

/**
 * An argument vector as one line a POSIX shell would split back into exactly these arguments (a word with anything
 * but `[A-Za-z0-9._:/=@%+,-]` is single-quoted). This is the text of a rendered operation: readable, and every
 * value visibly stays one argument. The adapter itself never uses a shell.
 * @example commandText(['ip', 'link', 'set', 'dev', 'lo', 'alias', 'a b']) // "ip link set dev lo alias 'a b'"
 */
export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (PLAIN_WORD.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
