/**
 * From the switch's configuration ({@link EosState}) to the fabric vocabulary: the objects netloom owns (by the
 * markers of `arista-eos.markers.ts`), in canonical form, and a raw view of the foreign ones (for the conformance
 * harness). One place per direction: this file reads, `arista-eos.commands.ts` writes.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import {
  AccessBindingCodec,
  FabricConfigCodec,
  FloodVtepCodec,
  L2SegmentCodec,
  VrfCodec,
  decodeOrThrow,
  decodeProblems,
  emptyFabricConfig,
  type AccessBinding,
  type FabricConfig,
  type FloodVtep,
  type L2Segment,
  type Vrf,
} from '@netloom/ports';
import { segmentNameOf, segmentSviMarker, vrfMarker } from './arista-eos.markers';
import type { EosState } from './arista-eos.running-config';

/** The result of reading owned objects: the config and the owned-looking objects that could not be read. */
export interface ObservedFabric {
  readonly config: FabricConfig;
  /** Owned objects left out because they are incomplete or invalid on the device (each with why). */
  readonly skipped: readonly string[];
}

/** The owned VRF names (marker present). */
export function ownedVrfNames(state: EosState): Set<string> {
  return new Set([...state.vrfs].filter(([name, v]) => v.description === vrfMarker(name)).map(([name]) => name));
}

/** Owned segments' VLANs: L2 VNI → VLAN (a VLAN named `netloom.*` mapped to a VNI on Vxlan1). */
export function ownedSegmentVlans(state: EosState): Map<number, number> {
  const out = new Map<number, number>();
  for (const [vlan, v] of state.vlans) {
    const vni = state.vxlanVlans.get(vlan);
    if (segmentNameOf(v.name) !== undefined && vni !== undefined) out.set(vni, vlan);
  }
  return out;
}

function decodeObject<A, O>(codec: t.Type<A, O, unknown>, value: unknown, what: string, skipped: string[]): A | undefined {
  const r = decodeProblems(codec, value);
  if (r.value !== undefined) return r.value;
  skipped.push(`${what}: ${r.problems.map((p) => `${p.path || '(root)'} ${p.reason}`).join('; ')}`);
  return undefined;
}

/**
 * The fabric objects netloom owns on the switch, decoded (canonical). Owned objects that cannot be expressed in the
 * vocabulary (a VRF without its VNI, a VLAN with an invalid name) are left out and listed in `skipped`: the next
 * plan re-creates them.
 *
 * @example observeFabric(readEosState(text)).config.segment['10010']
 */
export function observeFabric(state: EosState): ObservedFabric {
  const skipped: string[] = [];
  const config = emptyFabricConfig() as {
    vrf: Record<string, Vrf>;
    segment: Record<string, L2Segment>;
    binding: Record<string, AccessBinding>;
    interconnect: Record<string, never>;
    floodVtep: Record<string, FloodVtep>;
  };

  for (const name of [...ownedVrfNames(state)].sort()) {
    const l3Vni = state.vxlanVrfs.get(name);
    if (l3Vni === undefined) {
      skipped.push(`vrf ${name}: no "vxlan vrf ${name} vni" on Vxlan1`);
      continue;
    }
    const bgp = state.bgp?.vrfs.get(name);
    const raw = {
      key: name,
      name,
      l3Vni,
      ...(bgp !== undefined && bgp.importEvpn.length > 0 ? { importRouteTargets: bgp.importEvpn } : {}),
      ...(bgp !== undefined && bgp.exportEvpn.length > 0 ? { exportRouteTargets: bgp.exportEvpn } : {}),
    };
    const vrf = decodeObject(VrfCodec, raw, `vrf ${name}`, skipped);
    if (vrf !== undefined) config.vrf[name] = vrf;
  }

  const segmentVlans = ownedSegmentVlans(state);
  const vniOfVlan = new Map([...segmentVlans].map(([vni, vlan]) => [vlan, vni]));
  for (const [vni, vlan] of [...segmentVlans].sort((a, b) => a[0] - b[0])) {
    const name = segmentNameOf(state.vlans.get(vlan)?.name)!;
    const svi = state.interfaces.get(`Vlan${vlan}`);
    const vrf = svi?.vrf !== undefined && config.vrf[svi.vrf] !== undefined ? svi.vrf : undefined;
    const addresses = svi === undefined ? 0 : svi.ipv4Virtual.length + svi.ipv6Virtual.length;
    const gateway =
      vrf !== undefined && svi !== undefined && addresses > 0
        ? {
            ...(svi.ipv4Virtual.length > 0 ? { ipv4: svi.ipv4Virtual } : {}),
            ...(svi.ipv6Virtual.length > 0 ? { ipv6: svi.ipv6Virtual } : {}),
            ...(state.virtualRouterMac === undefined ? {} : { mac: state.virtualRouterMac }),
          }
        : undefined;
    const raw = { key: String(vni), name, l2Vni: vni, ...(vrf === undefined ? {} : { vrf }), ...(gateway === undefined ? {} : { anycastGateway: gateway }) };
    const segment = decodeObject(L2SegmentCodec, raw, `segment ${vni} (vlan ${vlan})`, skipped);
    if (segment !== undefined) config.segment[String(vni)] = segment;
  }

  for (const intf of [...state.interfaces.values()].filter((i) => i.name.startsWith('Ethernet'))) {
    if (intf.mode !== 'trunk' || intf.allowed === 'all') continue;
    const allowed = intf.allowed;
    const translatedTo = new Set(intf.translations.values());
    const found: { vlan: number; vni: number }[] = [];
    for (const [from, to] of intf.translations) {
      const vni = vniOfVlan.get(to);
      if (vni !== undefined && allowed.has(to)) found.push({ vlan: from, vni });
    }
    for (const vlan of allowed) {
      const vni = vniOfVlan.get(vlan);
      // A VLAN this port translates (in either direction) is not carried untranslated.
      if (vni !== undefined && !translatedTo.has(vlan) && !intf.translations.has(vlan)) found.push({ vlan, vni });
    }
    for (const f of found) {
      const key = `${intf.name}:${f.vlan}`;
      if (config.segment[String(f.vni)] === undefined) continue;
      const binding = decodeObject(AccessBindingCodec, { key, interface: intf.name, vlan: f.vlan, l2Vni: f.vni }, `binding ${key}`, skipped);
      if (binding !== undefined) config.binding[key] = binding;
    }
  }
  // Flood VTEPs: the head-end replication list of an observed segment's VLAN is netloom's (the VLAN is).
  for (const [vni, vlan] of segmentVlans) {
    if (config.segment[String(vni)] === undefined) continue;
    for (const ip of state.vxlanFloods.get(vlan) ?? []) {
      const key = `${vni}:${ip}`;
      const flood = decodeObject(FloodVtepCodec, { key, l2Vni: vni, remoteIp: ip }, `floodVtep ${key} (vlan ${vlan})`, skipped);
      if (flood !== undefined) config.floodVtep[key] = flood;
    }
  }
  return { config: decodeOrThrow(FabricConfigCodec, config, 'observed fabric config'), skipped };
}

/** A foreign object in the harness's raw view: the lines that make it up on the switch. */
export interface ForeignObject {
  readonly key: string;
  readonly [field: string]: unknown;
}

/**
 * The objects netloom does not own, per fabric kind, as the switch holds them (raw lines): VRF instances without
 * the marker, VLANs without the `netloom.` name (with their VNI map, SVI and BGP lines). For the conformance
 * harness, which proves they stay untouched.
 */
export function foreignView(state: EosState): Record<string, Record<string, ForeignObject>> {
  const owned = ownedVrfNames(state);
  const vrf: Record<string, ForeignObject> = {};
  for (const [name, v] of state.vrfs) {
    if (owned.has(name)) continue;
    vrf[name] = {
      key: name,
      lines: v.lines,
      routed: state.routedVrfs.has(name),
      vni: state.vxlanVrfs.get(name) ?? null,
      bgp: state.bgp?.vrfs.get(name)?.lines ?? null,
    };
  }
  const segment: Record<string, ForeignObject> = {};
  for (const [vlan, v] of state.vlans) {
    if (segmentNameOf(v.name) !== undefined && state.vxlanVlans.has(vlan)) continue;
    const vni = state.vxlanVlans.get(vlan);
    const key = vni === undefined ? `vlan${vlan}` : String(vni);
    segment[key] = {
      key,
      vlan,
      lines: v.lines,
      svi: state.interfaces.get(`Vlan${vlan}`)?.lines ?? null,
      bgp: state.bgp?.vlans.get(vlan) ?? null,
    };
  }
  return { vrf, segment };
}

/** The SVI marker of an owned segment (re-exported for the renderer and tests). */
export { segmentSviMarker };
