/**
 * Names and ids the engine derives while compiling intent: allocator ids of subnets and VIP pools, the VFW's name.
 * The Kubernetes-mapping names (endpoint ids, MACs, carved-subnet names, owner keys, annotations, labels) moved to
 * `@netloom/plugin-kubernetes` and `@netloom/plugin-service-lb` (ADR 0009). `fitName` and `shortHash` are shared
 * with the plugins through `@netloom/ports` and re-exported here.
 * @packageDocumentation
 */
import { shortHash } from '@netloom/ports';

export { fitName, shortHash } from '@netloom/ports';

/** The {@link IpamAllocator} subnet id of one family of a subnet: `subnet.<name>.v4` / `subnet.<name>.v6`. */
export function ipamSubnetId(subnet: string, family: 4 | 6): string {
  return `subnet.${subnet}.v${family}`;
}

/** The {@link IpamAllocator} subnet id of a VIP pool: `vip.<pool>` (pool names are hashed if not plain). */
export function vipPoolIpamId(pool: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(pool) ? `vip.${pool}` : `vip.${shortHash(pool, 16)}`;
}

/** The name of the one VFW the compiler builds. */
export const VFW_NAME = 'vfw';
