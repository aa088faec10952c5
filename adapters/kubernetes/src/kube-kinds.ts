/**
 * Where each kind of the port lives on the API server: group, version, resource name, scope.
 * @packageDocumentation
 */
import type { KubeKind } from '@netloom/ports';

/** The REST coordinates of a kind. */
export interface KubeKindInfo {
  /** API group (`''` for core). */
  readonly group: string;
  readonly version: string;
  /** The resource name in URLs. */
  readonly plural: string;
  readonly namespaced: boolean;
}

/** The kinds the port reads, and Lease and Event, which it writes. */
export const KIND_INFO: Readonly<Record<KubeKind | 'Lease' | 'Event', KubeKindInfo>> = {
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Node: { group: '', version: 'v1', plural: 'nodes', namespaced: false },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  EndpointSlice: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true },
  Subnet: { group: 'netloom.io', version: 'v1alpha1', plural: 'subnets', namespaced: false },
  VpcPeering: { group: 'netloom.io', version: 'v1alpha1', plural: 'vpcpeerings', namespaced: false },
  SecurityGroup: { group: 'netloom.io', version: 'v1alpha1', plural: 'securitygroups', namespaced: true },
  Lease: { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true },
  Event: { group: '', version: 'v1', plural: 'events', namespaced: true },
};

/** `v1`, `discovery.k8s.io/v1`, `netloom.io/v1alpha1`. */
export const apiVersionOfKind = (kind: keyof typeof KIND_INFO): string => {
  const i = KIND_INFO[kind];
  return i.group === '' ? i.version : `${i.group}/${i.version}`;
};

/** True if objects of the kind live in a namespace. */
export const isNamespacedKind = (kind: keyof typeof KIND_INFO): boolean => KIND_INFO[kind].namespaced;

/**
 * The URL path of a collection or an object (`/api/v1/namespaces/shop/pods/web-0/status`).
 * @example resourcePath('Subnet', { name: 'web' }) // '/apis/netloom.io/v1alpha1/subnets/web'
 */
export function resourcePath(kind: keyof typeof KIND_INFO, at: { readonly namespace?: string; readonly name?: string; readonly subresource?: string } = {}): string {
  const i = KIND_INFO[kind];
  const root = i.group === '' ? `/api/${i.version}` : `/apis/${i.group}/${i.version}`;
  const ns = i.namespaced && at.namespace !== undefined ? `/namespaces/${encodeURIComponent(at.namespace)}` : '';
  const name = at.name === undefined ? '' : `/${encodeURIComponent(at.name)}`;
  const sub = at.name !== undefined && at.subresource !== undefined ? `/${at.subresource}` : '';
  return `${root}${ns}/${i.plural}${name}${sub}`;
}

/** `Pod shop/web-0`, `Subnet web`. */
export const describeObject = (kind: string, namespace: string | undefined, name: string): string => `${kind} ${namespace === undefined ? '' : `${namespace}/`}${name}`;
