/**
 * The vpc-peering plugin (ARCHITECTURE §2, §6): `VpcPeering` resources → peerings between VPCs and the VFW policies
 * that open their traffic. The engine assembles the VFW itself: one zone per VPC, traffic between zones denied unless
 * a policy allows it; this plugin adds the allow policies:
 *
 * - per `VpcPeering` (by name): each `spec.allow` match in both directions (`peer-<peering>-<i>-<src>-to-<dst>`),
 *   and the routing half (EVPN route leaking): a VRB on each VPC (`peer-<peering>_<vpc>`) importing the route target
 *   the other VPC's VRF exports (`<routeTargetAsn>:<l3Vni>`, `vrfRouteTarget` of `@netloom/ports`, the same the
 *   projection gives every VRF) and exporting its own. The projection puts each VRB on the leafs that carry the
 *   VPC's VRF. A VPC without an LR (no L3 VNI) gets no VRB.
 *   A peering of an unknown VPC, one with an invalid name or match, and a second peering of the same pair of VPCs are
 *   problems on the VpcPeering; a peering of a VPC that failed to compile is left out silently (the VPC's problem
 *   says why).
 * - DNS: from every other VPC to the VPC of the `kube-system` namespace, UDP and TCP port 53 (`dns-<vpc>-udp|tcp`),
 *   so isolation never breaks name resolution.
 *
 * Runs after `kubernetes` (it reads the VPCs and the VPC of `kube-system` from it).
 * @packageDocumentation
 */
import { createPeering, createVrb, ErrorCode, isSafeName, type Peering, type TrafficMatchInput } from '@netloom/domain';
import { compareNames as cmp, defineIntentPlugin, fitName, vrfRouteTarget, type IntentContext, type IntentObjectRef, type IntentPlugin } from '@netloom/ports';

/** The namespace whose VPC every other VPC may reach for DNS. */
export const DNS_NAMESPACE = 'kube-system';
/** The DNS ports opened towards the VPC of {@link DNS_NAMESPACE}. */
export const DNS_PORT = 53;

/**
 * The vpc-peering intent plugin (id `vpc-peering`, after `kubernetes`).
 * @example await compileIntent({ cluster, settings, store, plugins: [kubernetesPlugin, vpcPeeringPlugin] })
 */
export const vpcPeeringPlugin: IntentPlugin = defineIntentPlugin({ id: 'vpc-peering', after: ['kubernetes'], compile: compileVpcPeering });

/**
 * The name of the VRB that leaks a peering's routes into one of its VPCs: `peer-<peering>_<vpc>` (shortened with a
 * hash when longer than 63 characters). It is also the interconnect's name on the leafs. The `_` never occurs in a
 * Kubernetes object name, so two peerings never derive the same name (`a` + VPC `b-c` and `a-b` + VPC `c`).
 * @example peeringVrbName('shop-billing', 'shop') // 'peer-shop-billing_shop'
 */
export function peeringVrbName(peering: string, vpc: string): string {
  return fitName(`peer-${peering}_${vpc}`);
}

async function compileVpcPeering(ctx: IntentContext): Promise<void> {
  const { cluster, problems, network, settings } = ctx;
  const allVpcs = new Set(network.vpcs().map((v) => v.name));
  const l3VniOf = new Map(network.logicalRouters().map((lr) => [lr.vpc, lr.l3Vni]));
  const pairs = new Map<string, string>();
  for (const cr of [...cluster.peerings].sort((a, b) => cmp(a.metadata.name, b.metadata.name))) {
    const name = cr.metadata.name;
    const ref: IntentObjectRef = { kind: 'VpcPeering', name };
    const [a, b] = cr.spec.vpcs;
    const unknown = [a, b].filter((v) => !allVpcs.has(v));
    if (unknown.length > 0) {
      problems.report(ref, ErrorCode.NOT_FOUND, `peers unknown VPC${unknown.length > 1 ? 's' : ''} ${unknown.map((v) => JSON.stringify(v)).join(' and ')}`);
      continue;
    }
    if (problems.isVpcFailed(a) || problems.isVpcFailed(b)) continue;
    if (!isSafeName(name)) {
      problems.report(ref, ErrorCode.INPUT_INVALID, `name ${JSON.stringify(name)} is longer than 63 characters or not a safe name`);
      continue;
    }
    let peering: Peering;
    try {
      // The CR's allow list is shaped like the domain's input; createPeering checks protocols and ports.
      peering = createPeering({ name, vpcs: [a, b], allow: cr.spec.allow as readonly TrafficMatchInput[] });
    } catch (e) {
      problems.reportError(ref, e);
      continue;
    }
    const pair = [a, b].sort(cmp).join('\u0000');
    const other = pairs.get(pair);
    if (other !== undefined) {
      problems.report(ref, ErrorCode.CONFLICT, `peers VPCs ${JSON.stringify(a)} and ${JSON.stringify(b)}, as VpcPeering ${JSON.stringify(other)} already does`);
      continue;
    }
    pairs.set(pair, name);
    network.addPeering(peering, { ref });
    peering.allow.forEach((match, i) => {
      for (const [src, dst] of [
        [a, b],
        [b, a],
      ] as const) {
        network.addVfwPolicy({ key: `peer-${name}-${i}-${src}-to-${dst}`, srcVpc: src, dstVpc: dst, match, source: { kind: 'peering', name } });
      }
    });
    // The routing half: each VRF imports what the other exports (the VFW policies above limit what may flow).
    const l3a = l3VniOf.get(a);
    const l3b = l3VniOf.get(b);
    if (l3a === undefined || l3b === undefined) continue;
    const rtA = vrfRouteTarget(l3a, settings.routeTargetAsn);
    const rtB = vrfRouteTarget(l3b, settings.routeTargetAsn);
    for (const [vpc, own, peer] of [
      [a, rtA, rtB],
      [b, rtB, rtA],
    ] as const) {
      network.addVrb(
        createVrb({
          name: peeringVrbName(name, vpc),
          vpc,
          routeTargets: [
            { value: peer, direction: 'import' },
            { value: own, direction: 'export' },
          ],
        }),
        { ref, peering: name },
      );
    }
  }
  const dnsVpc = network.vpcOfNamespace(DNS_NAMESPACE);
  if (dnsVpc !== undefined && !problems.isVpcFailed(dnsVpc)) {
    for (const v of [...allVpcs].filter((x) => !problems.isVpcFailed(x)).sort(cmp)) {
      if (v === dnsVpc) continue;
      for (const protocol of ['udp', 'tcp'] as const) {
        network.addVfwPolicy({ key: `dns-${v}-${protocol}`, srcVpc: v, dstVpc: dnsVpc, match: { protocol, ports: [{ from: DNS_PORT, to: DNS_PORT }] }, source: { kind: 'dns' } });
      }
    }
  }
}
