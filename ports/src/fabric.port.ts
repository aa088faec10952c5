/**
 * The fabric port: a leaf switch (the VTEP of the network overlay) as netloom sees it. Adapters: huawei-ce,
 * ruijie-rgos, arista-eos, hw-vtep (OVSDB `hardware_vtep`), fake.
 *
 * Vocabulary (a {@link FabricConfig}: per kind, a map from key to object):
 *
 * | kind | domain | key | what it is on a device |
 * |---|---|---|---|
 * | `vrf` | LR | `name` | IP-VRF with an L3 VNI (symmetric IRB), optional route targets and static routes (port API 1.2) |
 * | `interconnect` | VRB | `name` | route targets and border peers joining a VRF to other fabrics or sites |
 * | `segment` | LS | `String(l2Vni)` | bridge domain / MAC-VRF with an L2 VNI, optionally in a VRF with an anycast gateway |
 * | `binding` | — | `<interface>:<vlan>` | access binding: tagged VLAN on a leaf port (the node's uplink) → segment |
 * | `floodVtep` | — | `<l2Vni>:<remoteIp>` | a remote VTEP in the segment's flood list (static ingress / head-end replication): BUM traffic of the VNI reaches it, its MACs are learned from the data plane (hybrid overlay: a host-overlay node) |
 *
 * Creates run in {@link FABRIC_KIND_ORDER} (`vrf`, `interconnect`, `segment`, `floodVtep`, `binding`), deletes in
 * reverse (see `diffConfig`). References between kinds resolve within one config: a segment's `vrf`, an
 * interconnect's `vrf`, a binding's and a flood VTEP's `l2Vni` must name objects of the same config (everything
 * netloom owns on the device).
 *
 * `floodVtep` came in port API 1.1: a config without it decodes as if it were empty, so configs written by 1.0
 * adapters, journals and recordings stay valid; decoded and encoded configs always carry it.
 *
 * Ownership: adapters mark every object they create (a description `netloom:<key>`, a name prefix) and `observe`
 * returns marked objects only. VNIs: an L2 VNI and an L3 VNI never share a number on one device.
 *
 * The session lifecycle is the shared one of `device.port.ts` (`DeviceSession<FabricConfig>`).
 *
 * @example
 * const desired: FabricConfigInput = {
 *   vrf: { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, exportRouteTargets: ['65000:50001'] } },
 *   interconnect: {},
 *   segment: { '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop',
 *                         anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } } },
 *   binding: { 'Ethernet1/1:100': { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 } },
 *   floodVtep: { '10010:192.0.2.141': { key: '10010:192.0.2.141', l2Vni: 10010, remoteIp: '192.0.2.141' } },
 * };
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { type CheckProblem, keyedRecord, setOf, struct, withChecks } from './codec';
import type { CapabilityName } from './capabilities';
import type { DeviceDriver, DeviceSession } from './device.port';
import {
  AsnCodec,
  CidrCodec,
  InterfaceNameCodec,
  IpAddressCodec,
  Ipv4AddressCodec,
  Ipv4InterfaceAddressCodec,
  Ipv6InterfaceAddressCodec,
  MacAddressCodec,
  RouteTargetCodec,
  SafeNameCodec,
  VlanCodec,
  VniCodec,
} from './values';
import { type DeviceVocabulary, type PartialConfig, emptyConfig } from './vocabulary';

// --- vrf (LR) -----------------------------------------------------------------------------------------------------

/**
 * A static route of a VRF: traffic in the VRF to `prefix` goes to `nextHop`, an address reachable through one of the
 * VRF's segments (port API 1.2, capability `staticRoute`). netloom uses it to steer a peering's traffic through the
 * VFW (ADR 0013): each VRF of the pair routes the other's prefixes to the firewall's leg in its own segment.
 * `prefix` and `nextHop` are of one family.
 *
 * @example { prefix: '10.61.0.0/24', nextHop: '10.60.1.250' }
 */
export const StaticRouteCodec = withChecks(struct('StaticRoute', { prefix: CidrCodec, nextHop: IpAddressCodec }), (r): CheckProblem[] =>
  r.prefix.includes(':') !== r.nextHop.includes(':') ? [{ path: ['nextHop'], value: r.nextHop, message: `is not of the family of prefix ${r.prefix}` }] : [],
);
/** A static route. See {@link StaticRouteCodec}. */
export type StaticRoute = t.TypeOf<typeof StaticRouteCodec>;

/**
 * A VRF (LR): an IP-VRF with an L3 VNI. Key: `name`. Route targets absent: the device derives them (auto); present:
 * exactly these (sets, decoded sorted).
 *
 * @example { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] }
 */
export const VrfCodec = withChecks(
  struct(
    'Vrf',
    { key: t.string, name: SafeNameCodec, l3Vni: VniCodec },
    { importRouteTargets: setOf(RouteTargetCodec), exportRouteTargets: setOf(RouteTargetCodec), staticRoutes: setOf(StaticRouteCodec, { minItems: 1 }) },
  ),
  (v): CheckProblem[] => {
    const problems: CheckProblem[] = [];
    const seen = new Set<string>();
    (v.staticRoutes ?? []).forEach((r, i) => {
      if (seen.has(r.prefix)) problems.push({ path: ['staticRoutes', i, 'prefix'], value: r.prefix, message: `${r.prefix} has a second route in this VRF` });
      seen.add(r.prefix);
    });
    return problems;
  },
);
/** A VRF (LR). See {@link VrfCodec}. */
export type Vrf = t.TypeOf<typeof VrfCodec>;
/** A VRF before validation (plain strings and numbers). */
export type VrfInput = t.OutputOf<typeof VrfCodec>;
/** The key of a VRF: its name. */
export const vrfKey = (vrf: { readonly name: string }): string => vrf.name;

// --- segment (LS) -------------------------------------------------------------------------------------------------

/**
 * The anycast gateway of a segment: the same addresses and MAC on every leaf (distributed gateway). At least one
 * address. Addresses carry their prefix length (`10.1.0.1/24`); sets, decoded sorted.
 *
 * @example { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' }
 */
export const AnycastGatewayCodec = withChecks(
  struct('AnycastGateway', {}, { ipv4: setOf(Ipv4InterfaceAddressCodec), ipv6: setOf(Ipv6InterfaceAddressCodec), mac: MacAddressCodec }),
  (g) => ((g.ipv4?.length ?? 0) + (g.ipv6?.length ?? 0) === 0 ? [{ path: [], message: 'needs at least one address (ipv4 or ipv6)' }] : []),
);
/** An anycast gateway. See {@link AnycastGatewayCodec}. */
export type AnycastGateway = t.TypeOf<typeof AnycastGatewayCodec>;

/**
 * An L2 segment (LS): a bridge domain / MAC-VRF with an L2 VNI. Key: `String(l2Vni)`. `vrf` (a VRF key of the same
 * config) makes it routed; `anycastGateway` needs `vrf` and the `anycastGateway` capability.
 *
 * @example { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'] } }
 */
export const L2SegmentCodec = withChecks(
  struct('L2Segment', { key: t.string, name: SafeNameCodec, l2Vni: VniCodec }, { vrf: SafeNameCodec, anycastGateway: AnycastGatewayCodec }),
  (s): CheckProblem[] => (s.anycastGateway !== undefined && s.vrf === undefined ? [{ path: ['anycastGateway'], message: 'needs "vrf": an anycast gateway routes in a VRF' }] : []),
);
/** An L2 segment (LS). See {@link L2SegmentCodec}. */
export type L2Segment = t.TypeOf<typeof L2SegmentCodec>;
/** An L2 segment before validation. */
export type L2SegmentInput = t.OutputOf<typeof L2SegmentCodec>;
/** The key of a segment: its L2 VNI in decimal. */
export const segmentKey = (segment: { readonly l2Vni: number }): string => String(segment.l2Vni);

// --- binding ------------------------------------------------------------------------------------------------------

/**
 * An access binding: frames tagged `vlan` on leaf port `interface` belong to the segment with L2 VNI `l2Vni` (a
 * segment of the same config). Key: `<interface>:<vlan>`. VLANs are per host (per leaf port), not global.
 *
 * @example { key: 'Ethernet1/1:100', interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 }
 */
export const AccessBindingCodec = struct('AccessBinding', { key: t.string, interface: InterfaceNameCodec, vlan: VlanCodec, l2Vni: VniCodec });
/** An access binding. See {@link AccessBindingCodec}. */
export type AccessBinding = t.TypeOf<typeof AccessBindingCodec>;
/** An access binding before validation. */
export type AccessBindingInput = t.OutputOf<typeof AccessBindingCodec>;
/** The key of a binding: `<interface>:<vlan>`. */
export const bindingKey = (binding: { readonly interface: string; readonly vlan: number }): string => `${binding.interface}:${binding.vlan}`;

// --- floodVtep (hybrid overlay) -----------------------------------------------------------------------------------

/**
 * A flood VTEP: the remote VTEP `remoteIp` (IPv4) is in the flood list of the segment with L2 VNI `l2Vni` (a
 * segment of the same config). The leaf sends the VNI's broadcast, unknown-unicast and multicast traffic to it by
 * static ingress (head-end) replication and learns the MACs behind it from the data plane. This is how a leaf
 * reaches a host-overlay node, whose vswitch is its own VTEP but speaks no BGP EVPN (it would advertise an EVPN
 * type-3 route if it did). Key: `<l2Vni>:<remoteIp>`.
 *
 * @example { key: '10010:192.0.2.141', l2Vni: 10010, remoteIp: '192.0.2.141' }
 */
export const FloodVtepCodec = struct('FloodVtep', { key: t.string, l2Vni: VniCodec, remoteIp: Ipv4AddressCodec });
/** A flood VTEP. See {@link FloodVtepCodec}. */
export type FloodVtep = t.TypeOf<typeof FloodVtepCodec>;
/** A flood VTEP before validation. */
export type FloodVtepInput = t.OutputOf<typeof FloodVtepCodec>;
/** The key of a flood VTEP: `<l2Vni>:<remoteIp>`. */
export const floodVtepKey = (f: { readonly l2Vni: number; readonly remoteIp: string }): string => `${f.l2Vni}:${f.remoteIp}`;

// --- interconnect (VRB) -------------------------------------------------------------------------------------------

/** A border peer of an interconnect: a BGP neighbour address and its AS. @example { address: '192.0.2.1', remoteAs: 65100 } */
export const BorderPeerCodec = struct('BorderPeer', { address: IpAddressCodec, remoteAs: AsnCodec });
/** A border peer. */
export type BorderPeer = t.TypeOf<typeof BorderPeerCodec>;

/**
 * An interconnect (VRB): joins VRF `vrf` (a VRF of the same config) to other resource pools, fabrics or sites by
 * importing and exporting route targets towards border peers. Key: `name`. Route-target sets are non-empty.
 *
 * @example { key: 'vrb-shop-dc2', name: 'vrb-shop-dc2', vrf: 'vpc-shop', importRouteTargets: ['65100:1'],
 *            exportRouteTargets: ['65000:50001'], borderPeers: [{ address: '192.0.2.1', remoteAs: 65100 }] }
 */
export const InterconnectCodec = struct('Interconnect', {
  key: t.string,
  name: SafeNameCodec,
  vrf: SafeNameCodec,
  importRouteTargets: setOf(RouteTargetCodec, { minItems: 1 }),
  exportRouteTargets: setOf(RouteTargetCodec, { minItems: 1 }),
  borderPeers: setOf(BorderPeerCodec),
});
/** An interconnect (VRB). See {@link InterconnectCodec}. */
export type Interconnect = t.TypeOf<typeof InterconnectCodec>;
/** An interconnect before validation. */
export type InterconnectInput = t.OutputOf<typeof InterconnectCodec>;
/** The key of an interconnect: its name. */
export const interconnectKey = (ic: { readonly name: string }): string => ic.name;

// --- config -------------------------------------------------------------------------------------------------------

function fabricReferences(c: {
  readonly vrf: Readonly<Record<string, Vrf>>;
  readonly segment: Readonly<Record<string, L2Segment>>;
  readonly binding: Readonly<Record<string, AccessBinding>>;
  readonly interconnect: Readonly<Record<string, Interconnect>>;
  readonly floodVtep?: Readonly<Record<string, FloodVtep>>;
}): CheckProblem[] {
  const problems: CheckProblem[] = [];
  for (const [k, s] of Object.entries(c.segment)) {
    if (s.vrf !== undefined && c.vrf[s.vrf] === undefined) problems.push({ path: ['segment', { key: k }, 'vrf'], value: s.vrf, message: `no vrf ${JSON.stringify(s.vrf)} in this config` });
  }
  for (const [k, b] of Object.entries(c.binding)) {
    if (c.segment[segmentKey(b)] === undefined) problems.push({ path: ['binding', { key: k }, 'l2Vni'], value: b.l2Vni, message: `no segment with l2Vni ${b.l2Vni} in this config` });
  }
  for (const [k, f] of Object.entries(c.floodVtep ?? {})) {
    if (c.segment[segmentKey(f)] === undefined) problems.push({ path: ['floodVtep', { key: k }, 'l2Vni'], value: f.l2Vni, message: `no segment with l2Vni ${f.l2Vni} in this config` });
  }
  for (const [k, i] of Object.entries(c.interconnect)) {
    if (c.vrf[i.vrf] === undefined) problems.push({ path: ['interconnect', { key: k }, 'vrf'], value: i.vrf, message: `no vrf ${JSON.stringify(i.vrf)} in this config` });
  }
  const l3 = new Map<number, string>();
  for (const [k, v] of Object.entries(c.vrf)) {
    const other = l3.get(v.l3Vni);
    if (other !== undefined) problems.push({ path: ['vrf', { key: k }, 'l3Vni'], value: v.l3Vni, message: `${v.l3Vni} is also the l3Vni of vrf ${JSON.stringify(other)}` });
    else l3.set(v.l3Vni, k);
    if (c.segment[String(v.l3Vni)] !== undefined) problems.push({ path: ['vrf', { key: k }, 'l3Vni'], value: v.l3Vni, message: `${v.l3Vni} is also the l2Vni of a segment` });
  }
  return problems;
}

const FabricConfigStruct = withChecks(
  struct(
    'FabricConfig',
    {
      vrf: keyedRecord('vrf', VrfCodec, vrfKey, 'its name'),
      interconnect: keyedRecord('interconnect', InterconnectCodec, interconnectKey, 'its name'),
      segment: keyedRecord('segment', L2SegmentCodec, segmentKey, 'its l2Vni'),
      binding: keyedRecord('binding', AccessBindingCodec, bindingKey, 'interface:vlan'),
    },
    { floodVtep: keyedRecord('floodVtep', FloodVtepCodec, floodVtepKey, 'l2Vni:remoteIp') },
  ),
  fabricReferences,
);
type FabricConfigShape = t.TypeOf<typeof FabricConfigStruct>;

/** A validated fabric config (what `observe` returns and `plan` takes as `desired`): every kind present. */
export type FabricConfig = { readonly [K in keyof FabricConfigShape]-?: NonNullable<FabricConfigShape[K]> };
/**
 * A fabric config before validation: plain strings and numbers; decode it with {@link FabricConfigCodec}.
 * `floodVtep` may be left out (port API 1.0 configs).
 */
export type FabricConfigInput = t.OutputOf<typeof FabricConfigStruct>;

/**
 * A fabric config: every kind present (possibly empty; a missing `floodVtep` decodes as empty, see the module
 * documentation), each a map key → object with keys derived from the objects, references resolved within the
 * config, unknown fields rejected. Decoding sorts set-valued arrays and compresses IPv6, so decoded configs compare
 * with `configEquals`.
 *
 * @example see the module documentation.
 */
export const FabricConfigCodec: t.Type<FabricConfig, FabricConfigInput, unknown> = Object.assign(
  new t.Type<FabricConfig, FabricConfigInput, unknown>(
    'FabricConfig',
    (u): u is FabricConfig => FabricConfigStruct.is(u) && (u as { floodVtep?: unknown }).floodVtep !== undefined,
    (u, c) => {
      const r = FabricConfigStruct.validate(u, c);
      return r._tag === 'Left' ? r : t.success({ ...r.right, floodVtep: r.right.floodVtep ?? {} });
    },
    (a) => FabricConfigStruct.encode(a),
  ),
  { netloomPathStyle: 'property' as const },
);
/** A fabric object kind. */
export type FabricKind = keyof FabricConfig & string;

/** The fabric kinds in create order (parents first); deletes run in reverse. */
export const FABRIC_KIND_ORDER = ['vrf', 'interconnect', 'segment', 'floodVtep', 'binding'] as const satisfies readonly FabricKind[];

/** The capability each fabric kind needs. */
export const FABRIC_KIND_CAPABILITY = {
  vrf: 'vrf',
  interconnect: 'interconnect',
  segment: 'l2Segment',
  binding: 'accessBinding',
  floodVtep: 'floodVtep',
} as const satisfies { readonly [K in FabricKind]: CapabilityName<'fabric'> };

/** A fabric config with every kind empty. */
export function emptyFabricConfig(): FabricConfig {
  return emptyConfig<FabricConfig>(FABRIC_KIND_ORDER);
}

/**
 * Every fabric capability a config uses (kinds present, plus `anycastGateway` if a segment has one and `staticRoute`
 * if a VRF has static routes). Sorted.
 */
export function fabricCapabilitiesUsed(config: PartialConfig<FabricConfig>): CapabilityName<'fabric'>[] {
  const used = new Set<CapabilityName<'fabric'>>();
  for (const kind of FABRIC_KIND_ORDER) if (Object.keys(config[kind] ?? {}).length > 0) used.add(FABRIC_KIND_CAPABILITY[kind]);
  if (Object.values(config.segment ?? {}).some((s) => s.anycastGateway !== undefined)) used.add('anycastGateway');
  if (Object.values(config.vrf ?? {}).some((v) => (v.staticRoutes?.length ?? 0) > 0)) used.add('staticRoute');
  return [...used].sort();
}

/** The fabric vocabulary as data (for generic planners, the fake adapter and the conformance suite). */
export const fabricVocabulary: DeviceVocabulary<'fabric', FabricConfig, FabricConfigInput> = {
  port: 'fabric',
  order: FABRIC_KIND_ORDER,
  configCodec: FabricConfigCodec,
  kindCapability: FABRIC_KIND_CAPABILITY,
  capabilitiesUsed: fabricCapabilitiesUsed,
  empty: emptyFabricConfig,
};

/** A session with one leaf: the shared device lifecycle over {@link FabricConfig}. */
export type FabricSession = DeviceSession<FabricConfig>;
/** A fabric port implementation for one leaf (what an adapter's `ports.fabric` factory returns). */
export type FabricDriver = DeviceDriver<FabricConfig>;

// --- keys by kind (additive: generic tools recompute keys for every kind) -------------------------------------------

/**
 * How each fabric kind derives its key from an object's identity fields: the functions the config codec checks keys
 * with. Typed over every kind, so a new kind does not compile without its key function.
 */
export const FABRIC_KIND_KEY: { readonly [K in FabricKind]: (object: FabricConfig[K][string]) => string } = {
  vrf: vrfKey,
  interconnect: interconnectKey,
  segment: segmentKey,
  floodVtep: floodVtepKey,
  binding: bindingKey,
};

/**
 * The key of a fabric object of `kind`, derived from its identity fields as the config codec derives it, or
 * undefined when `kind` is not a fabric kind. It reads the identity fields only and validates nothing, so it
 * recomputes the key of an edited object before the object is decoded (a fuzzer, an editor, a migration).
 *
 * @example fabricKeyOf('binding', { interface: 'Ethernet1/1', vlan: 100, l2Vni: 10010 }) // 'Ethernet1/1:100'
 */
export function fabricKeyOf(kind: string, object: Readonly<Record<string, unknown>>): string | undefined {
  if (!Object.prototype.hasOwnProperty.call(FABRIC_KIND_KEY, kind)) return undefined;
  // The caller vouches for nothing but the kind: the key functions only read the identity fields.
  const derive = (FABRIC_KIND_KEY as unknown as Readonly<Record<string, (o: Readonly<Record<string, unknown>>) => string>>)[kind];
  return derive?.(object);
}
