/**
 * Checks of the deployment profile that involve several fields: unique names, references between sections
 * (topology → inventory), overlapping VNI ranges and address blocks, overlay consistency.
 *
 * They run on the raw document, defensively, next to the codec, so that one run reports every problem: a
 * duplicate device name is reported even when another device has a bad address. Values that are invalid on
 * their own are skipped here (the codec reports them).
 *
 * @packageDocumentation
 */
import { cidrContainsRange, cidrsOverlap, parseIpRange, tryParseCidr, type Cidr, VNI_MAX, VNI_MIN } from '@netloom/domain';
import { describe, formatPath, type LocatedProblem, type Segment } from './codec-kit';
import { closest } from './suggest';

type Rec = Record<string, unknown>;

function rec(u: unknown): Rec | undefined {
  return typeof u === 'object' && u !== null && !Array.isArray(u) ? (u as Rec) : undefined;
}
function list(u: unknown): unknown[] {
  return Array.isArray(u) ? u : [];
}
function str(u: unknown): string | undefined {
  return typeof u === 'string' ? u : undefined;
}

interface Located<T> {
  readonly value: T;
  readonly at: readonly Segment[];
}

/** Every cross-field problem of a raw profile document (empty when none). */
export function crossCheckProfile(raw: unknown): LocatedProblem[] {
  const root = rec(raw);
  if (root === undefined) return [];
  const problems: LocatedProblem[] = [];
  const add = (segments: readonly Segment[], reason: string): void => {
    problems.push({ segments, reason });
  };

  // Inventory: unique device names.
  const devices = list(rec(root.inventory)?.devices);
  const byName = new Map<string, { index: number; role: string | undefined }>();
  devices.forEach((d, i) => {
    const name = str(rec(d)?.name);
    if (name === undefined) return;
    const first = byName.get(name);
    if (first !== undefined) add(['inventory', 'devices', i, 'name'], `${describe(name)} is already the name of inventory.devices[${first.index}]`);
    else byName.set(name, { index: i, role: str(rec(d)?.role) });
  });

  const refDevice = (at: readonly Segment[], name: string, role: string, article: string): void => {
    const found = byName.get(name);
    const ofRole = [...byName.entries()].filter(([, v]) => v.role === role).map(([k]) => k);
    if (found === undefined) {
      const guess = closest(name, ofRole);
      const known = ofRole.length > 0 ? ` (${role} devices: ${ofRole.join(', ')})` : ` (the inventory has no ${role} device)`;
      add(at, `no device named ${describe(name)} in inventory.devices${guess !== undefined ? `; did you mean "${guess}"?` : known}`);
    } else if (found.role !== undefined && found.role !== role) {
      add(at, `${describe(name)} is a ${found.role} device, not ${article} ${role}`);
    }
  };

  // Topology: nodes reference leafs, names and leaf ports unique, overlay consistent with the profile's.
  const overlay = str(root.overlay) ?? 'network';
  const topology = rec(root.topology);
  const nodeNames = new Map<string, number>();
  const leafPorts = new Map<string, string>();
  const vswitchOwners = new Map<string, string>();
  const hostNodes: string[] = [];
  const networkNodesByLeaf = new Map<string, string[]>();
  list(topology?.nodes).forEach((n, i) => {
    const node = rec(n);
    if (node === undefined) return;
    const at: Segment[] = ['topology', 'nodes', i];
    const name = str(node.name);
    if (name !== undefined) {
      const first = nodeNames.get(name);
      if (first !== undefined) add([...at, 'name'], `${describe(name)} is already the name of topology.nodes[${first}]`);
      else nodeNames.set(name, i);
    }
    const nodeOverlay = str(node.overlay);
    if (nodeOverlay !== undefined && overlay !== 'hybrid' && nodeOverlay !== overlay && (nodeOverlay === 'network' || nodeOverlay === 'host')) {
      add([...at, 'overlay'], `${describe(nodeOverlay)} needs overlay: hybrid (the profile's overlay is ${describe(overlay)})`);
    }
    const effective = nodeOverlay ?? (overlay === 'host' ? 'host' : 'network');
    const leaf = str(node.leaf);
    const port = str(node.port);
    if (effective === 'network') {
      if (node.leaf === undefined || node.leaf === null) add([...at, 'leaf'], 'required for a network-overlay node (the leaf switch its uplink is plugged into)');
      if (node.port === undefined || node.port === null) add([...at, 'port'], 'required for a network-overlay node (the leaf interface of its uplink)');
    }
    if (leaf !== undefined) refDevice([...at, 'leaf'], leaf, 'leaf', 'a');
    const who = name ?? `topology.nodes[${i}]`;
    if (effective === 'host') hostNodes.push(who);
    else if (leaf !== undefined) networkNodesByLeaf.set(leaf, [...(networkNodesByLeaf.get(leaf) ?? []), who]);
    const vswitch = str(node.vswitch);
    if (vswitch !== undefined) {
      refDevice([...at, 'vswitch'], vswitch, 'vswitch', 'a');
      const other = vswitchOwners.get(vswitch);
      if (other !== undefined) add([...at, 'vswitch'], `${describe(vswitch)} is already the vswitch of node ${describe(other)}`);
      else vswitchOwners.set(vswitch, name ?? `topology.nodes[${i}]`);
    }
    if (leaf !== undefined && port !== undefined) {
      const key = `${leaf}\u0000${port}`;
      const other = leafPorts.get(key);
      if (other !== undefined) add([...at, 'port'], `${leaf} ${port} is already the port of ${other}`);
      else leafPorts.set(key, `node ${describe(name ?? `topology.nodes[${i}]`)}`);
    }
  });
  // Hybrid overlay: host-overlay nodes tunnel to the leafs that carry their VNIs, so every leaf that has
  // network-overlay nodes needs its VTEP address; only leafs have one.
  devices.forEach((d, i) => {
    const dev = rec(d);
    if (dev?.vtepIp !== undefined && dev.vtepIp !== null && str(dev.role) !== undefined && dev.role !== 'leaf') {
      add(['inventory', 'devices', i, 'vtepIp'], `only a leaf has a VTEP address here (this is a ${str(dev.role)}); a host-overlay node's goes in topology.nodes[].vtepIp`);
    }
  });
  if (hostNodes.length > 0) {
    for (const [leaf, nodes] of networkNodesByLeaf) {
      const found = byName.get(leaf);
      if (found === undefined || found.role !== 'leaf') continue;
      const dev = rec(devices[found.index]);
      if (dev?.vtepIp !== undefined && dev.vtepIp !== null) continue;
      add(
        ['inventory', 'devices', found.index, 'vtepIp'],
        `required: host-overlay nodes (${hostNodes.join(', ')}) tunnel to leaf ${describe(leaf)} for the VNIs they share with its nodes (${nodes.join(', ')}); give the leaf's VTEP address (IPv4)`,
      );
    }
  }

  // VPC routers (ADR 0012): a router device, plugged into a leaf at a port no node uses, once per router.
  const routerDevices = new Map<string, number>();
  list(topology?.routers).forEach((r, i) => {
    const router = rec(r);
    if (router === undefined) return;
    const at: Segment[] = ['topology', 'routers', i];
    const device = str(router.device);
    if (device !== undefined) {
      refDevice([...at, 'device'], device, 'router', 'a');
      const first = routerDevices.get(device);
      if (first !== undefined) add([...at, 'device'], `${describe(device)} is already the router of topology.routers[${first}]`);
      else routerDevices.set(device, i);
    }
    const leaf = str(router.leaf);
    if (leaf !== undefined) refDevice([...at, 'leaf'], leaf, 'leaf', 'a');
    const port = str(router.port);
    if (leaf !== undefined && port !== undefined) {
      const key = `${leaf}\u0000${port}`;
      const other = leafPorts.get(key);
      if (other !== undefined) add([...at, 'port'], `${leaf} ${port} is already the port of ${other}`);
      else leafPorts.set(key, `router ${describe(device ?? `topology.routers[${i}]`)}`);
    }
  });

  // Firewalls (ADR 0013): a firewall device, plugged into a leaf at a port no node or router uses, once per firewall.
  const firewallDevices = new Map<string, number>();
  list(topology?.firewalls).forEach((f, i) => {
    const fw = rec(f);
    if (fw === undefined) return;
    const at: Segment[] = ['topology', 'firewalls', i];
    const device = str(fw.device);
    if (device !== undefined) {
      refDevice([...at, 'device'], device, 'firewall', 'a');
      const first = firewallDevices.get(device);
      if (first !== undefined) add([...at, 'device'], `${describe(device)} is already plugged in at topology.firewalls[${first}]`);
      else firewallDevices.set(device, i);
    }
    const leaf = str(fw.leaf);
    if (leaf !== undefined) refDevice([...at, 'leaf'], leaf, 'leaf', 'a');
    const port = str(fw.port);
    if (leaf !== undefined && port !== undefined) {
      const key = `${leaf}\u0000${port}`;
      const other = leafPorts.get(key);
      if (other !== undefined) add([...at, 'port'], `${leaf} ${port} is already the port of ${other}`);
      else leafPorts.set(key, `firewall ${describe(device ?? `topology.firewalls[${i}]`)}`);
    }
  });

  const discoveryDevice = str(rec(topology?.discovery)?.device);
  if (discoveryDevice !== undefined) refDevice(['topology', 'discovery', 'device'], discoveryDevice, 'discovery', 'a');

  // Address plan.
  const plan = rec(root.addressPlan);
  if (plan !== undefined) checkAddressPlan(plan, add);
  return problems;
}

function validVniRange(u: unknown): { from: number; to: number } | undefined {
  const r = rec(u);
  const from = r?.from;
  const to = r?.to;
  if (typeof from !== 'number' || typeof to !== 'number' || !Number.isInteger(from) || !Number.isInteger(to)) return undefined;
  if (from < VNI_MIN || to > VNI_MAX || from > to) return undefined;
  return { from, to };
}

function checkAddressPlan(plan: Rec, add: (segments: readonly Segment[], reason: string) => void): void {
  // VNI ranges: no overlap among all L2 and L3 ranges.
  const vni = rec(plan.vni);
  const ranges: Array<Located<{ from: number; to: number }>> = [];
  for (const kind of ['l2', 'l3'] as const) {
    list(vni?.[kind]).forEach((r, i) => {
      const v = validVniRange(r);
      if (v !== undefined) ranges.push({ value: v, at: ['addressPlan', 'vni', kind, i] });
    });
  }
  ranges.forEach((a, i) => {
    for (const b of ranges.slice(0, i)) {
      if (a.value.from <= b.value.to && b.value.from <= a.value.to) {
        add(a.at, `${a.value.from}..${a.value.to} overlaps ${formatPath(b.at)} (${b.value.from}..${b.value.to})`);
        break;
      }
    }
  });

  // Container blocks: no overlap; each holds at least one default-sized subnet.
  const blocks: Array<Located<Cidr> & { text: string }> = [];
  list(plan.containerBlocks).forEach((b, i) => {
    const s = str(b);
    const c = s === undefined ? undefined : tryParseCidr(s);
    if (s !== undefined && c !== undefined) blocks.push({ value: c, text: s, at: ['addressPlan', 'containerBlocks', i] });
  });
  blocks.forEach((a, i) => {
    const b = blocks.slice(0, i).find((o) => cidrsOverlap(o.value, a.value));
    if (b !== undefined) add(a.at, `${a.text} overlaps ${formatPath(b.at)} (${b.text})`);
  });
  const prefixes = rec(plan.defaultSubnetPrefix);
  const p4 = typeof prefixes?.ipv4 === 'number' ? prefixes.ipv4 : 24;
  const p6 = typeof prefixes?.ipv6 === 'number' ? prefixes.ipv6 : 64;
  for (const b of blocks) {
    const want = b.value.family === 4 ? p4 : p6;
    if (b.value.prefix > want) {
      add(b.at, `${b.text} is smaller than one default subnet (/${want}, addressPlan.defaultSubnetPrefix.ipv${b.value.family})`);
    }
  }

  // VIP pools: unique names, no overlap with each other or with container blocks, excludes inside the pool.
  const poolNames = new Map<string, number>();
  const pools: Array<Located<Cidr> & { text: string }> = [];
  list(plan.vipPools).forEach((p, i) => {
    const pool = rec(p);
    if (pool === undefined) return;
    const at: Segment[] = ['addressPlan', 'vipPools', i];
    const name = str(pool.name);
    if (name !== undefined) {
      const first = poolNames.get(name);
      if (first !== undefined) add([...at, 'name'], `${describe(name)} is already the name of addressPlan.vipPools[${first}]`);
      else poolNames.set(name, i);
    }
    const s = str(pool.cidr);
    const c = s === undefined ? undefined : tryParseCidr(s);
    if (s === undefined || c === undefined) return;
    const clash = [...pools, ...blocks].find((o) => cidrsOverlap(o.value, c));
    if (clash !== undefined) add([...at, 'cidr'], `${s} overlaps ${formatPath(clash.at)} (${clash.text})`);
    pools.push({ value: c, text: s, at: [...at, 'cidr'] });
    list(pool.exclude).forEach((e, j) => {
      const es = str(e);
      if (es === undefined) return;
      try {
        const r = parseIpRange(es);
        if (!cidrContainsRange(c, r)) add([...at, 'exclude', j], `${describe(es)} is outside the pool ${s}`);
      } catch {
        // reported by the codec
      }
    });
  });
}
