/**
 * The lines `netloom demo` prints beyond the device changes: when a Service gets (or changes) its VIP, and when a
 * peering opens, as the compiled desired state says — the per-device configs the pipeline just applied and the
 * peerings of the desired network. Nothing here is hard-coded to the demo scenario.
 * @packageDocumentation
 */
import { vpcObjectName, vpcOfObject } from '@netloom/engine';
import type { Peering } from '@netloom/domain';
import type { CompileResult } from '../controller/controller';

type Obj = Readonly<Record<string, unknown>> & { readonly key: string };

/** One line per Service VIP and per peering, by a stable key; compare two passes with {@link changedHighlights}. */
export interface DemoHighlights {
  /** By `<partition>/<virtual server>`. */
  readonly services: ReadonlyMap<string, { readonly label: string; readonly line: string }>;
  /** By peering name. */
  readonly peerings: ReadonlyMap<string, { readonly label: string; readonly line: string }>;
}

const str = (o: Readonly<Record<string, unknown>>, field: string): string | undefined => (typeof o[field] === 'string' ? o[field] : undefined);
const num = (o: Readonly<Record<string, unknown>>, field: string): number | undefined => (typeof o[field] === 'number' ? o[field] : undefined);
const strings = (o: Readonly<Record<string, unknown>>, field: string): string[] => {
  const v = o[field];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
};
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The objects of one kind in a device config, sorted by key. */
function objectsOf(config: Readonly<Record<string, unknown>>, kind: string): Obj[] {
  const m = config[kind];
  if (typeof m !== 'object' || m === null) return [];
  return Object.values(m as Record<string, unknown>)
    .filter((o): o is Obj => typeof o === 'object' && o !== null && typeof (o as { key?: unknown }).key === 'string')
    .sort((a, b) => cmp(a.key, b.key));
}

function devicesOf(compiled: CompileResult, port: string): Array<{ name: string; config: Readonly<Record<string, unknown>> }> {
  return [...compiled.configs.devices.values()]
    .filter((d) => d.port === port)
    .map((d) => ({ name: d.device, config: d.config as unknown as Readonly<Record<string, unknown>> }))
    .sort((a, b) => cmp(a.name, b.name));
}

const hostPort = (ip: string, port: number | undefined): string => `${ip.includes(':') ? `[${ip}]` : ip}:${port ?? '?'}`;

/**
 * The Service each virtual server was made for: the compiler names a Service port's virtual server
 * `<namespace>.<service>.<protocol>-<port>`. A name it had to shorten matches no Service here and is shown as the
 * virtual server instead.
 */
function serviceIndex(compiled: CompileResult): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of compiled.cluster.services) {
    if (s.spec.type !== 'LoadBalancer') continue;
    const ns = s.metadata.namespace ?? '';
    for (const p of s.spec.ports ?? []) out.set(`${ns}.${s.metadata.name}.${(p.protocol ?? 'TCP').toLowerCase()}-${p.port}`, `Service ${ns}/${s.metadata.name}`);
  }
  return out;
}

function serviceLines(compiled: CompileResult): DemoHighlights['services'] {
  const services = serviceIndex(compiled);
  const found = new Map<string, { label: string; address: string; members: string; devices: string[] }>();
  for (const lb of devicesOf(compiled, 'loadBalancer')) {
    const members = objectsOf(lb.config, 'member');
    for (const vs of objectsOf(lb.config, 'virtualServer')) {
      const partition = str(vs, 'partition') ?? '';
      const name = str(vs, 'name') ?? vs.key;
      const pool = str(vs, 'pool');
      const protocol = str(vs, 'protocol') ?? 'tcp';
      const key = `${partition}/${name}`;
      const entry = found.get(key);
      if (entry !== undefined) {
        entry.devices.push(lb.name);
        continue;
      }
      const inPool = members
        .filter((m) => str(m, 'partition') === partition && str(m, 'pool') === pool)
        .map((m) => `${hostPort(str(m, 'address') ?? '?', num(m, 'port'))}${str(m, 'state') === undefined || str(m, 'state') === 'enabled' ? '' : ` ${str(m, 'state')}`}`);
      found.set(key, {
        label: services.get(name) ?? `virtual server ${key}`,
        address: `${hostPort(str(vs, 'vip') ?? '?', num(vs, 'port'))}${protocol === 'tcp' ? '' : `/${protocol}`}`,
        members: inPool.length === 0 ? 'no ready members yet' : `members: ${inPool.join(', ')}`,
        devices: [lb.name],
      });
    }
  }
  return new Map(
    [...found].map(([key, e]) => [key, { label: e.label, line: `${e.label}: VIP ${e.address} on ${e.devices.join(', ')} (${e.members})` }] as const),
  );
}

/** `tcp/8080`, `tcp/8000-8100`, `udp` (every port), `icmp`, `any protocol`. */
function allowText(p: Peering): string {
  return p.allow
    .map((m) => {
      if (m.protocol === 'any') return 'any protocol';
      if (m.ports.length === 0) return m.protocol === 'icmp' ? 'icmp' : `${m.protocol} (every port)`;
      return `${m.protocol}/${m.ports.map((r) => (r.from === r.to ? String(r.from) : `${r.from}-${r.to}`)).join(',')}`;
    })
    .join(', ');
}

/** Which VPCs export each route target, from the VRFs of every projected leaf config. */
function routeTargetExporters(compiled: CompileResult): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const leaf of devicesOf(compiled, 'fabric')) {
    for (const v of objectsOf(leaf.config, 'vrf')) {
      const vpc = vpcOfObject('fabric', 'vrf', v);
      if (vpc === undefined) continue;
      for (const rt of strings(v, 'exportRouteTargets')) {
        const set = out.get(rt) ?? new Set<string>();
        set.add(vpc);
        out.set(rt, set);
      }
    }
  }
  return out;
}

function peeringLines(compiled: CompileResult): DemoHighlights['peerings'] {
  const out = new Map<string, { label: string; line: string }>();
  const exporters = routeTargetExporters(compiled);
  for (const p of compiled.desired.network.peerings ?? []) {
    const vpcs = new Set<string>(p.vpcs);
    const label = `Peering ${p.vpcs[0]}<->${p.vpcs[1]}`;
    // The firewall policies between the two VPCs' zones, in either direction.
    const firewalls: string[] = [];
    for (const fw of devicesOf(compiled, 'firewall')) {
      const zones = new Set(objectsOf(fw.config, 'zone').filter((z) => vpcs.has(vpcOfObject('firewall', 'zone', z) ?? '')).map((z) => str(z, 'name') ?? z.key));
      const policies = objectsOf(fw.config, 'policy')
        .filter((x) => {
          const src = str(x, 'srcZone');
          const dst = str(x, 'dstZone');
          return src !== undefined && dst !== undefined && src !== dst && zones.has(src) && zones.has(dst) && str(x, 'action') !== 'deny';
        })
        .map((x) => str(x, 'name') ?? x.key);
      firewalls.push(`${fw.name} policies: ${policies.length === 0 ? 'none' : policies.join(', ')}`);
    }
    // Routes leaked into the two VPCs' VRFs, per leaf: the route targets a VRF imports (on itself, or through an
    // interconnect of it) beyond the ones it exports, named by the VRF that exports them where a leaf shows it.
    const leaks: string[] = [];
    const leafs: string[] = [];
    for (const leaf of devicesOf(compiled, 'fabric')) {
      const vrfs = objectsOf(leaf.config, 'vrf').filter((v) => vpcs.has(vpcOfObject('fabric', 'vrf', v) ?? ''));
      if (vrfs.length === 0) continue;
      leafs.push(leaf.name);
      const interconnects = objectsOf(leaf.config, 'interconnect');
      for (const v of vrfs) {
        const name = str(v, 'name') ?? v.key;
        const own = new Set(strings(v, 'exportRouteTargets'));
        const imported = [...strings(v, 'importRouteTargets'), ...interconnects.filter((i) => str(i, 'vrf') === name).flatMap((i) => strings(i, 'importRouteTargets'))];
        const leaked = [...new Set(imported.filter((rt) => !own.has(rt)))]
          .sort(cmp)
          // Another peering of the same VPC leaks other VRFs' targets: those belong to its own line.
          .filter((rt) => exporters.get(rt) === undefined || [...(exporters.get(rt) ?? [])].some((x) => vpcs.has(x)));
        if (leaked.length === 0) continue;
        const from = [...new Set(leaked.flatMap((rt) => [...(exporters.get(rt) ?? [])].filter((x) => vpcs.has(x))))].sort(cmp).map((x) => vpcObjectName(x));
        leaks.push(`${leaf.name} ${name} imports ${leaked.join(', ')}${from.length > 0 ? ` from ${from.join(', ')}` : ''}`);
      }
    }
    const routes = leaks.length > 0 ? `routes: ${leaks.join('; ')}` : `routes: none leaked between the two VRFs${leafs.length > 0 ? ` on ${leafs.join(', ')}` : ''}`;
    out.set(p.name, { label, line: `${label}: open on ${allowText(p)} (${[...firewalls, routes].join('; ')})` });
  }
  return out;
}

/**
 * The Service VIP lines and peering lines of one compiled pass.
 * @example highlightsOf(compiled).services.get('vpc-shop/shop.web.tcp-80')?.line
 *   // 'Service shop/web: VIP 198.51.100.10:80 on lb1 (members: 10.244.100.200:8080, 10.244.100.201:8080)'
 */
export function highlightsOf(compiled: CompileResult): DemoHighlights {
  return { services: serviceLines(compiled), peerings: peeringLines(compiled) };
}

/**
 * The lines to print after a pass: every Service VIP and peering that is new or changed since `before`, and one
 * line for each that is gone.
 */
export function changedHighlights(before: DemoHighlights | undefined, after: DemoHighlights): string[] {
  const out: string[] = [];
  for (const kind of ['services', 'peerings'] as const) {
    const was = before?.[kind] ?? new Map<string, { label: string; line: string }>();
    for (const [key, now] of after[kind]) if (was.get(key)?.line !== now.line) out.push(now.line);
    for (const [key, old] of was) if (!after[kind].has(key)) out.push(`${old.label}: ${kind === 'services' ? 'VIP released' : 'closed'}`);
  }
  return out;
}
