/**
 * Names and keys the service-lb plugin derives: VIP owner keys, VLB and virtual-server names (safe names of at most 63
 * characters, shortened with a hash when needed), and the EndpointSlice label it reads.
 * @packageDocumentation
 */
import { fitName } from '@netloom/ports';

/** EndpointSlice label naming its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

/** The VIP owner key of a Service: `svc/<namespace>/<name>`. @example serviceOwnerKey('shop', 'web') // 'svc/shop/web' */
export function serviceOwnerKey(namespace: string, name: string): string {
  return `svc/${namespace}/${name}`;
}

/** The VLB name of a VPC: `vlb-<vpc>` (shortened if needed). @example vlbNameOf('shop') // 'vlb-shop' */
export function vlbNameOf(vpc: string): string {
  return fitName(`vlb-${vpc}`);
}

/**
 * The virtual server (and pool) name of one port of a Service: `<ns>.<svc>.<protocol>-<port>`, shortened if needed.
 * @example virtualServerNameOf('shop', 'web', 'tcp', 443) // 'shop.web.tcp-443'
 */
export function virtualServerNameOf(namespace: string, service: string, protocol: 'tcp' | 'udp', port: number): string {
  return fitName(`${namespace}.${service}.${protocol}-${port}`);
}
