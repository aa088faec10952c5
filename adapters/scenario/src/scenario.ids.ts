/**
 * Identities of scenario objects: keys, references, deterministic uids.
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { KUBE_KINDS, type KubeKind, type KubeObject, type KubeObjectRef } from '@netloom/ports';

/** Kinds that live in a namespace (the others are cluster-scoped). */
export const NAMESPACED_KINDS: ReadonlySet<KubeKind> = new Set<KubeKind>(['Pod', 'Service', 'EndpointSlice', 'SecurityGroup']);

/** True if objects of `kind` live in a namespace. */
export function isNamespaced(kind: KubeKind): boolean {
  return NAMESPACED_KINDS.has(kind);
}

/** The `apiVersion` of each kind, as the API server reports it. */
export const KIND_API_VERSIONS: Readonly<Record<KubeKind, string>> = {
  Namespace: 'v1',
  Node: 'v1',
  Pod: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
  Subnet: 'netloom.io/v1alpha1',
  VpcPeering: 'netloom.io/v1alpha1',
  SecurityGroup: 'netloom.io/v1alpha1',
};

/** `apiVersion`s of owner kinds that are not scenario kinds (filled into ownerReferences that omit it). */
export const OWNER_API_VERSIONS: Readonly<Record<string, string>> = {
  ...KIND_API_VERSIONS,
  StatefulSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Deployment: 'apps/v1',
  DaemonSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
};

/** True if `s` names a kind netloom reads. */
export function isKubeKind(s: unknown): s is KubeKind {
  return typeof s === 'string' && (KUBE_KINDS as readonly string[]).includes(s);
}

/** The store key of an object: `kind/namespace/name` (namespace empty for cluster-scoped kinds). */
export function objectKey(ref: Pick<KubeObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind}/${ref.namespace ?? ''}/${ref.name}`;
}

/** The reference of an object. */
export function refOf(object: KubeObject): KubeObjectRef {
  const { namespace, name, uid } = object.metadata;
  return namespace === undefined ? { kind: object.kind, name, uid } : { kind: object.kind, namespace, name, uid };
}

/** `Pod shop/web-0`, `Namespace shop`: an object reference for messages. */
export function describeRef(ref: Pick<KubeObjectRef, 'kind' | 'namespace' | 'name'>): string {
  return `${ref.kind} ${ref.namespace === undefined ? '' : `${ref.namespace}/`}${ref.name}`;
}

// An arbitrary, fixed name-space UUID for netloom scenario objects (RFC 4122 name-based UUIDs).
const UID_NAMESPACE = Buffer.from('6e6c6f6f-6d2d-4e63-8e61-72696f2d7569'.replace(/-/g, ''), 'hex');

/**
 * A deterministic uid (an RFC 4122 version-5 UUID) of the `incarnation`-th object with this kind, namespace and
 * name in a run (1 for the first; an object deleted and created again gets the next, like a real cluster that
 * hands out a fresh uid). Two runs of one scenario give the same uids.
 *
 * @example uidFor({ kind: 'Pod', namespace: 'shop', name: 'web-0' }) // '0c3c…-5…' (always the same)
 */
export function uidFor(ref: { readonly kind: string; readonly namespace?: string; readonly name: string }, incarnation = 1): string {
  const name = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}${incarnation > 1 ? `#${incarnation}` : ''}`;
  const hash = createHash('sha1').update(UID_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
