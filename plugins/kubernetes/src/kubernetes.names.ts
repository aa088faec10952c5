/**
 * Names and keys the Kubernetes plugin derives from Kubernetes objects (endpoint ids, MACs, carved-subnet names,
 * owner keys) and the labels and annotations it reads. Every name that may reach a device is a safe name (1-63 of
 * `[A-Za-z0-9._-]`); a derived name that would be longer is shortened with a hash of the full text (`fitName`), so
 * it stays unique and deterministic.
 * @packageDocumentation
 */
import { isSafeName } from '@netloom/domain';
import { fitName, shortHash } from '@netloom/ports';

/** Namespace label: the VPC the namespace belongs to. */
export const LABEL_VPC = 'netloom.io/vpc';
/**
 * Node label: the node's overlay, `host` (its vswitch is its own VTEP) or `network` (it trunks VLANs into its leaf).
 * An explicit `topology.nodes[].overlay` in the profile wins over it; the label wins over the profile's `overlay`
 * default. Any other value is a problem on the Node and is ignored.
 */
export const LABEL_OVERLAY = 'netloom.io/overlay';
/** Pod annotation: the subnet the pod's address comes from (default: the namespace's default subnet). */
export const ANNOTATION_SUBNET = 'netloom.io/subnet';
/** Pod annotation: a fixed address (or one per family, comma-separated). */
export const ANNOTATION_IP_ADDRESS = 'netloom.io/ip-address';
/** Pod annotation: rate limit of traffic to the pod (`100M`, `1G`, `500k`: bit/s with SI suffix). */
export const ANNOTATION_INGRESS_RATE = 'netloom.io/ingress-rate';
/** Pod annotation: rate limit of traffic from the pod. */
export const ANNOTATION_EGRESS_RATE = 'netloom.io/egress-rate';

/** The VPC of the `default` namespace (always), and of every namespace under the `default` policy. */
export const DEFAULT_VPC = 'default';

/**
 * Longest VPC name: device names are `vpc-<vpc>` (VRF, firewall zone, load-balancer partition) and must stay safe
 * names of at most 63 characters, so that the VPC can be read back from the name.
 */
export const MAX_VPC_NAME = 59;

/** True if `name` can be a VPC name (a safe name of at most {@link MAX_VPC_NAME} characters). @example isVpcName('shop') // true */
export function isVpcName(name: string): boolean {
  return isSafeName(name) && name.length <= MAX_VPC_NAME;
}

/** The endpoint id of a pod: `<namespace>.<name>`, shortened with a hash when longer than 63 characters. @example endpointIdOf('shop', 'web-0') // 'shop.web-0' */
export function endpointIdOf(namespace: string, name: string): string {
  return fitName(`${namespace}.${name}`);
}

/** The address owner key of a pod: `<namespace>/<name>` (a re-created StatefulSet pod has the same one). */
export function podOwnerKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * A deterministic MAC for an endpoint: `02:` (locally administered, unicast) and 5 bytes of a hash of the endpoint
 * id and VPC.
 */
export function macOf(vpc: string, endpointId: string): string {
  const h = shortHash(`${vpc}/${endpointId}`, 10);
  return ['02', h.slice(0, 2), h.slice(2, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10)].join(':');
}

/** Name of the subnet carved for a VPC without `Subnet` resources: `<vpc>_default` (never a Kubernetes name). @example carvedSubnetName('shop') // 'shop_default' */
export function carvedSubnetName(vpc: string): string {
  return fitName(`${vpc}_default`);
}

/** The QoS policy name of an endpoint: the endpoint id (QoS policies are a namespace of their own). */
export function qosPolicyNameOf(endpointId: string): string {
  return endpointId;
}
