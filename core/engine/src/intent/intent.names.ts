/**
 * Names and keys the intent compiler derives from Kubernetes objects: endpoint ids, MACs, carved-subnet names,
 * allocator ids and owner keys, and the annotations and labels it reads. Every name that may reach a device is a
 * safe name (`SAFE_NAME`: 1-63 of `[A-Za-z0-9._-]`); a derived name that would be longer is shortened with a hash of
 * the full text, so it stays unique and deterministic.
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { isSafeName } from '@netloom/domain';

/** Namespace label: the VPC the namespace belongs to. */
export const LABEL_VPC = 'netloom.io/vpc';
/** Pod annotation: the subnet the pod's address comes from (default: the namespace's default subnet). */
export const ANNOTATION_SUBNET = 'netloom.io/subnet';
/** Pod annotation: a fixed address (or one per family, comma-separated). */
export const ANNOTATION_IP_ADDRESS = 'netloom.io/ip-address';
/** Pod annotation: rate limit of traffic to the pod (`100M`, `1G`, `500k`: bit/s with SI suffix). */
export const ANNOTATION_INGRESS_RATE = 'netloom.io/ingress-rate';
/** Pod annotation: rate limit of traffic from the pod. */
export const ANNOTATION_EGRESS_RATE = 'netloom.io/egress-rate';
/** EndpointSlice label naming its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

/** The VPC of the `default` namespace (always), and of every namespace under the `default` policy. */
export const DEFAULT_VPC = 'default';

/**
 * Longest VPC name: device names are `vpc-<vpc>` (VRF, firewall zone, load-balancer partition) and must stay safe
 * names of at most 63 characters, so that the VPC can be read back from the name (see `vpcOfObject`).
 */
export const MAX_VPC_NAME = 59;

/** Lower-case hex SHA-256 of `text`, cut to `length` characters. */
export function shortHash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `base` if it is at most `max` characters, else its first characters, `_` and 8 hex characters of a hash of the
 * whole of `base`. The `_` never occurs in Kubernetes object names, so a shortened name never equals one.
 * @example fitName('a'.repeat(70)) // 'aaaa…a_1b2c3d4e' (63 characters)
 */
export function fitName(base: string, max = 63): string {
  if (base.length <= max) return base;
  return `${base.slice(0, max - 9)}_${shortHash(base, 8)}`;
}

/** True if `name` can be a VPC name (a safe name of at most {@link MAX_VPC_NAME} characters). */
export function isVpcName(name: string): boolean {
  return isSafeName(name) && name.length <= MAX_VPC_NAME;
}

/** The endpoint id of a pod: `<namespace>.<name>`, shortened with a hash when longer than 63 characters. */
export function endpointIdOf(namespace: string, name: string): string {
  return fitName(`${namespace}.${name}`);
}

/** The IPAM owner key of a pod: `<namespace>/<name>` (a re-created StatefulSet pod has the same one). */
export function podOwnerKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The IPAM owner key of a Service's VIP: `svc/<namespace>/<name>`. */
export function serviceOwnerKey(namespace: string, name: string): string {
  return `svc/${namespace}/${name}`;
}

/**
 * A deterministic MAC for an endpoint: `02:` (locally administered, unicast) and 5 bytes of a hash of the endpoint
 * id and VPC.
 */
export function macOf(vpc: string, endpointId: string): string {
  const h = shortHash(`${vpc}/${endpointId}`, 10);
  return ['02', h.slice(0, 2), h.slice(2, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10)].join(':');
}

/** Name of the subnet carved for a VPC without `Subnet` resources: `<vpc>_default` (never a Kubernetes name). */
export function carvedSubnetName(vpc: string): string {
  return fitName(`${vpc}_default`);
}

/** The {@link IpamAllocator} subnet id of one family of a subnet: `subnet.<name>.v4` / `subnet.<name>.v6`. */
export function ipamSubnetId(subnet: string, family: 4 | 6): string {
  return `subnet.${subnet}.v${family}`;
}

/** The {@link IpamAllocator} subnet id of a VIP pool: `vip.<pool>` (pool names are hashed if not plain). */
export function vipPoolIpamId(pool: string): string {
  return /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/.test(pool) ? `vip.${pool}` : `vip.${shortHash(pool, 16)}`;
}

/** The QoS policy name of an endpoint: the endpoint id (QoS policies are a namespace of their own). */
export function qosPolicyNameOf(endpointId: string): string {
  return endpointId;
}

/** The VLB name of a VPC: `vlb-<vpc>` (shortened if needed). */
export function vlbNameOf(vpc: string): string {
  return fitName(`vlb-${vpc}`);
}

/** The virtual server (and pool) name of one port of a Service: `<ns>.<svc>.<protocol>-<port>`, shortened if needed. */
export function virtualServerNameOf(namespace: string, service: string, protocol: 'tcp' | 'udp', port: number): string {
  return fitName(`${namespace}.${service}.${protocol}-${port}`);
}

/** The name of the one VFW the compiler builds. */
export const VFW_NAME = 'vfw';
