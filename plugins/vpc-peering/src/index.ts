/**
 * `@netloom/plugin-vpc-peering` — the intent plugin that maps `VpcPeering` resources to peerings, VFW allow
 * policies and route-leaking VRBs between VPCs, and opens DNS towards the VPC of `kube-system`. Imports `@netloom/domain` and
 * `@netloom/ports` only.
 * @example
 * import { plugin as kubernetes } from '@netloom/plugin-kubernetes';
 * import { plugin as vpcPeering } from '@netloom/plugin-vpc-peering';
 * const desired = await compileIntent({ cluster, settings, store, plugins: [kubernetes, vpcPeering] });
 * desired.network.vfws
 * @packageDocumentation
 */
import { vpcPeeringPlugin } from './vpc-peering.plugin';

export { vpcPeeringPlugin, peeringVrbName, DNS_NAMESPACE, DNS_PORT } from './vpc-peering.plugin';
/** The plugin this package provides (id `vpc-peering`), under the name every plugin package exports. */
export const plugin = vpcPeeringPlugin;
