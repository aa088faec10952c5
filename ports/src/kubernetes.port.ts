/**
 * The Kubernetes port: what netloom reads from a cluster and writes back, informer-shaped. Adapters: kubernetes
 * (@kubernetes/client-node), scenario (a YAML timeline of objects: the embedded default and the test source).
 *
 * Reads: the kinds of {@link KUBE_KINDS} as minimal typed shapes — only the fields netloom uses (metadata name,
 * namespace, uid, labels, annotations, resourceVersion, ownerReferences, deletionTimestamp, generation; spec and
 * status subsets). Adapters decode what the API server returns with the codecs here (unknown fields are dropped) and
 * add the `kind` field. An object that fails its codec cannot be acted on: the adapter skips it and logs a warning
 * naming the object and the problems (a bad object never stops the others).
 *
 * Writes: pod (and namespace, node, service) annotations, status subresources of netloom's CRs and of Services
 * (load-balancer ingress), events, and optionally Leases (capability `leases`) for leader election.
 *
 * netloom CRDs (group `netloom.io`, version `v1alpha1`): `Subnet` (cluster-scoped: CIDRs, gateways, exclusions,
 * the namespaces it serves, default flag, VPC), `VpcPeering` (cluster-scoped: two VPCs and the traffic allowed
 * between them) and `SecurityGroup` (namespaced: stateful allow rules for the pods that select it). The Subnet and
 * VpcPeering spec fields mirror the domain's `SubnetInput` and `PeeringInput`, so the plugins hand them on
 * unchanged; a SecurityGroup's rules are named and their remote group is a SecurityGroup of the same namespace, so
 * the security-groups plugin maps them.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { discriminated, struct } from './codec';
import type { PortCapabilities } from './capabilities';
import type { NetloomError } from './errors';
import type { Logger } from './logger';

const shape = <R extends t.Props, O extends t.Props>(name: string, required: R, optional: O) => struct(name, required, optional, { unknownFields: 'strip' });

const StringMap = t.record(t.string, t.string, 'map of strings');

// --- metadata -----------------------------------------------------------------------------------------------------

/** An owner reference (a Pod's StatefulSet, an EndpointSlice's Service). */
export const OwnerReferenceCodec = shape('OwnerReference', { apiVersion: t.string, kind: t.string, name: t.string, uid: t.string }, { controller: t.boolean });
/** An owner reference. */
export type OwnerReference = t.TypeOf<typeof OwnerReferenceCodec>;

/**
 * The metadata netloom reads. `namespace` is absent for cluster-scoped kinds. `deletionTimestamp` present: the
 * object is being deleted (finalizers pending).
 * @example { name: 'web-0', namespace: 'shop', uid: '6b1f…', resourceVersion: '4711', labels: { app: 'web' },
 *            annotations: { 'netloom.io/subnet': 'web' } }
 */
export const ObjectMetaCodec = shape(
  'ObjectMeta',
  { name: t.string, uid: t.string, resourceVersion: t.string },
  {
    namespace: t.string,
    labels: StringMap,
    annotations: StringMap,
    ownerReferences: t.readonlyArray(OwnerReferenceCodec),
    deletionTimestamp: t.string,
    creationTimestamp: t.string,
    generation: t.number,
  },
);
/** The metadata netloom reads. */
export type ObjectMeta = t.TypeOf<typeof ObjectMetaCodec>;

/** A status condition (of netloom's CRs). `status` is `True`, `False` or `Unknown`. */
export const ConditionCodec = shape(
  'Condition',
  { type: t.string, status: t.keyof({ True: null, False: null, Unknown: null }, '"True" | "False" | "Unknown"') },
  { reason: t.string, message: t.string, lastTransitionTime: t.string, observedGeneration: t.number },
);
/** A status condition. */
export type Condition = t.TypeOf<typeof ConditionCodec>;

// --- kinds --------------------------------------------------------------------------------------------------------

/** A Namespace (member of a VPC by label `netloom.io/vpc`). @example { kind: 'Namespace', metadata: { name: 'shop', uid: 'u1', resourceVersion: '1', labels: { 'netloom.io/vpc': 'shop' } } } */
export const KubeNamespaceCodec = shape('Namespace', { kind: t.literal('Namespace'), metadata: ObjectMetaCodec }, {});
/** A Namespace. */
export type KubeNamespace = t.TypeOf<typeof KubeNamespaceCodec>;

/** A Node: vswitch target; addresses (InternalIP is the VTEP / management address), overlay mode by label. */
export const KubeNodeCodec = shape(
  'Node',
  { kind: t.literal('Node'), metadata: ObjectMetaCodec },
  {
    spec: shape('NodeSpec', {}, { podCIDRs: t.readonlyArray(t.string), providerID: t.string, unschedulable: t.boolean }),
    status: shape(
      'NodeStatus',
      {},
      {
        addresses: t.readonlyArray(shape('NodeAddress', { type: t.string, address: t.string }, {})),
        conditions: t.readonlyArray(shape('NodeCondition', { type: t.string, status: t.string }, {})),
      },
    ),
  },
);
/** A Node. */
export type KubeNode = t.TypeOf<typeof KubeNodeCodec>;

/**
 * A Pod: an endpoint. netloom reads its node, host-network flag and phase; it writes its address back as
 * annotations (`netloom.io/ip-address`, `netloom.io/mac-address`, `netloom.io/vlan`).
 * @example { kind: 'Pod', metadata: { name: 'web-0', namespace: 'shop', uid: 'u2', resourceVersion: '7' },
 *            spec: { nodeName: 'node-1' }, status: { phase: 'Running', podIPs: [{ ip: '10.1.0.5' }] } }
 */
export const KubePodCodec = shape(
  'Pod',
  { kind: t.literal('Pod'), metadata: ObjectMetaCodec, spec: shape('PodSpec', {}, { nodeName: t.string, hostNetwork: t.boolean }) },
  {
    status: shape('PodStatus', {}, { phase: t.string, podIP: t.string, podIPs: t.readonlyArray(shape('PodIP', { ip: t.string }, {})), hostIP: t.string }),
  },
);
/** A Pod. */
export type KubePod = t.TypeOf<typeof KubePodCodec>;

/** A port of a Service. */
export const ServicePortCodec = shape(
  'ServicePort',
  { port: t.number },
  { name: t.string, protocol: t.string, targetPort: t.union([t.number, t.string], 'a port number or name'), nodePort: t.number },
);

/** The load-balancer part of a Service's status (what netloom writes for `type: LoadBalancer`). */
export const ServiceStatusCodec = shape(
  'ServiceStatus',
  {},
  { loadBalancer: shape('LoadBalancerStatus', {}, { ingress: t.readonlyArray(shape('LoadBalancerIngress', {}, { ip: t.string, hostname: t.string })) }) },
);
/** The load-balancer part of a Service's status. @example { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } */
export type ServiceStatus = t.TypeOf<typeof ServiceStatusCodec>;

/**
 * A Service: `type: LoadBalancer` becomes a VLB virtual server (VIP from `loadBalancerIP` or the profile's pool).
 * @example { kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: 'u3', resourceVersion: '9' },
 *            spec: { type: 'LoadBalancer', ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }] } }
 */
export const KubeServiceCodec = shape(
  'Service',
  {
    kind: t.literal('Service'),
    metadata: ObjectMetaCodec,
    spec: shape(
      'ServiceSpec',
      {},
      {
        type: t.string,
        clusterIP: t.string,
        clusterIPs: t.readonlyArray(t.string),
        loadBalancerIP: t.string,
        loadBalancerClass: t.string,
        ports: t.readonlyArray(ServicePortCodec),
        selector: StringMap,
      },
    ),
  },
  { status: ServiceStatusCodec },
);
/** A Service. */
export type KubeService = t.TypeOf<typeof KubeServiceCodec>;

/** One endpoint of an EndpointSlice. `ready` false and `terminating` true: draining. */
export const SliceEndpointCodec = shape(
  'Endpoint',
  { addresses: t.readonlyArray(t.string) },
  {
    conditions: shape('EndpointConditions', {}, { ready: t.boolean, serving: t.boolean, terminating: t.boolean }),
    nodeName: t.string,
    targetRef: shape('ObjectReference', { kind: t.string, name: t.string }, { namespace: t.string, uid: t.string }),
  },
);
/** One endpoint of an EndpointSlice. */
export type SliceEndpoint = t.TypeOf<typeof SliceEndpointCodec>;

/**
 * An EndpointSlice: the Service (label `kubernetes.io/service-name`) it belongs to, its endpoints (absent: none) and
 * ports. VLB members follow it.
 * @example { kind: 'EndpointSlice', metadata: { name: 'web-abc', namespace: 'shop', uid: 'u4', resourceVersion: '12',
 *            labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4',
 *            endpoints: [{ addresses: ['10.1.0.5'], conditions: { ready: true } }], ports: [{ port: 8443, protocol: 'TCP' }] }
 */
export const KubeEndpointSliceCodec = shape(
  'EndpointSlice',
  { kind: t.literal('EndpointSlice'), metadata: ObjectMetaCodec, addressType: t.string },
  {
    endpoints: t.readonlyArray(SliceEndpointCodec),
    ports: t.readonlyArray(shape('EndpointPort', {}, { name: t.string, port: t.number, protocol: t.string })),
  },
);
/** An EndpointSlice. */
export type KubeEndpointSlice = t.TypeOf<typeof KubeEndpointSliceCodec>;

/**
 * Status of a `Subnet` CR as netloom writes it.
 * @example { conditions: [{ type: 'Ready', status: 'True', reason: 'Programmed' }], observedGeneration: 3, vni: 10010, usedIps: 12, availableIps: 241 }
 */
export const SubnetStatusCodec = shape(
  'SubnetStatus',
  {},
  { conditions: t.readonlyArray(ConditionCodec), observedGeneration: t.number, vni: t.number, usedIps: t.number, availableIps: t.number },
);
/** Status of a `Subnet` CR. */
export type SubnetStatus = t.TypeOf<typeof SubnetStatusCodec>;

/**
 * A netloom `Subnet` CR (cluster-scoped), shaped like `SubnetInput` of `@netloom/domain`: `cidrs` (one, or one IPv4
 * and one IPv6), `gateways`, `excludeRanges` (`10.1.0.1` or `10.1.0.10..10.1.0.20`), the namespaces it serves,
 * default flag, VPC (absent: the plugin derives it from the namespaces). Texts are checked semantically by the
 * plugin (which reports problems in the status), not by this codec.
 * @example { kind: 'Subnet', metadata: { name: 'web', uid: 'u5', resourceVersion: '3', generation: 1 },
 *            spec: { cidrs: ['10.1.0.0/24'], gateways: ['10.1.0.1'], namespaces: ['shop'], default: true } }
 */
export const KubeSubnetCodec = shape(
  'Subnet',
  {
    kind: t.literal('Subnet'),
    metadata: ObjectMetaCodec,
    spec: shape(
      'SubnetSpec',
      { cidrs: t.readonlyArray(t.string) },
      { gateways: t.readonlyArray(t.string), excludeRanges: t.readonlyArray(t.string), namespaces: t.readonlyArray(t.string), default: t.boolean, vpc: t.string },
    ),
  },
  { status: SubnetStatusCodec },
);
/** A netloom `Subnet` CR. */
export type KubeSubnet = t.TypeOf<typeof KubeSubnetCodec>;

/** Status of a `VpcPeering` CR. */
export const VpcPeeringStatusCodec = shape('VpcPeeringStatus', {}, { conditions: t.readonlyArray(ConditionCodec), observedGeneration: t.number });
/** Status of a `VpcPeering` CR. */
export type VpcPeeringStatus = t.TypeOf<typeof VpcPeeringStatusCodec>;

/** A port range of a traffic match as written in a CR: `443`, `'8000-8080'` or `{ from, to }` (checked by the plugin). */
export const PortRangeTextCodec = t.union([t.number, t.string, shape('PortRangeObject', { from: t.number, to: t.number }, {})], 'a port, "from-to" or { from, to }');

/**
 * A netloom `VpcPeering` CR (cluster-scoped), shaped like `PeeringInput` of `@netloom/domain`: opens the traffic
 * `allow` lists (both directions) between two VPCs; `{ protocol: 'any' }` opens everything.
 * @example { kind: 'VpcPeering', metadata: { name: 'shop-pay', uid: 'u6', resourceVersion: '5' },
 *            spec: { vpcs: ['shop', 'pay'], allow: [{ protocol: 'tcp', ports: [443] }] } }
 */
export const KubeVpcPeeringCodec = shape(
  'VpcPeering',
  {
    kind: t.literal('VpcPeering'),
    metadata: ObjectMetaCodec,
    spec: shape(
      'VpcPeeringSpec',
      { vpcs: t.tuple([t.string, t.string]), allow: t.readonlyArray(shape('TrafficMatch', { protocol: t.string }, { ports: t.readonlyArray(PortRangeTextCodec) })) },
      {},
    ),
  },
  { status: VpcPeeringStatusCodec },
);
/** A netloom `VpcPeering` CR. */
export type KubeVpcPeering = t.TypeOf<typeof KubeVpcPeeringCodec>;

/** Status of a `SecurityGroup` CR: its conditions (`Ready`) and the generation they describe. */
export const SecurityGroupStatusCodec = shape('SecurityGroupStatus', {}, { conditions: t.readonlyArray(ConditionCodec), observedGeneration: t.number });
/** Status of a `SecurityGroup` CR. */
export type SecurityGroupStatus = t.TypeOf<typeof SecurityGroupStatusCodec>;

/**
 * The remote side of a SecurityGroup rule as written in the CR: `{ cidr }` or `{ group }` (a SecurityGroup of the
 * same namespace). The CRD schema requires exactly one; this codec takes what the API server stored and the plugin
 * reports a rule with both or neither.
 */
export const KubeSecurityGroupRemoteCodec = shape('SecurityGroupRemote', {}, { cidr: t.string, group: t.string });
/** The remote side of a SecurityGroup rule. */
export type KubeSecurityGroupRemote = t.TypeOf<typeof KubeSecurityGroupRemoteCodec>;

/**
 * One rule of a SecurityGroup CR: a name unique in the group, the direction seen from the pod (`ingress` towards
 * it, `egress` from it), the protocol (`any`, `tcp`, `udp`, `sctp`, `icmp`, `icmpv6`), destination ports (`443` or
 * `'8000-8080'`; absent: every port) and the remote side (absent: anywhere). Texts are checked semantically by the
 * plugin (which reports problems in the status), not by this codec.
 * @example { name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443, '8000-8080'], remote: { cidr: '10.0.0.0/8' } }
 */
export const KubeSecurityGroupRuleCodec = shape(
  'SecurityGroupRule',
  { name: t.string, direction: t.string, protocol: t.string },
  { ports: t.readonlyArray(t.union([t.number, t.string], 'a port or "from-to"')), remote: KubeSecurityGroupRemoteCodec },
);
/** One rule of a SecurityGroup CR. */
export type KubeSecurityGroupRule = t.TypeOf<typeof KubeSecurityGroupRuleCodec>;

/**
 * A netloom `SecurityGroup` CR (namespaced): allow rules for the pods of its namespace that select it (annotation
 * `netloom.io/security-groups`). `vpc` absent: the VPC of the namespace; `rules` absent or empty: allows nothing.
 * @example { kind: 'SecurityGroup', metadata: { name: 'web', namespace: 'shop', uid: 'u7', resourceVersion: '8', generation: 1 },
 *            spec: { rules: [{ name: 'https-in', direction: 'ingress', protocol: 'tcp', ports: [443] }] } }
 */
export const KubeSecurityGroupCodec = shape(
  'SecurityGroup',
  {
    kind: t.literal('SecurityGroup'),
    metadata: ObjectMetaCodec,
    spec: shape('SecurityGroupSpec', {}, { vpc: t.string, rules: t.readonlyArray(KubeSecurityGroupRuleCodec) }),
  },
  { status: SecurityGroupStatusCodec },
);
/** A netloom `SecurityGroup` CR. */
export type KubeSecurityGroup = t.TypeOf<typeof KubeSecurityGroupCodec>;

// --- objects and events -------------------------------------------------------------------------------------------

/** The kinds netloom reads. */
export const KUBE_KINDS = ['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice', 'Subnet', 'VpcPeering', 'SecurityGroup'] as const;
/** A kind netloom reads. */
export type KubeKind = (typeof KUBE_KINDS)[number];
/** io-ts codec for {@link KubeKind}. */
export const KubeKindCodec = t.keyof({ Namespace: null, Node: null, Pod: null, Service: null, EndpointSlice: null, Subnet: null, VpcPeering: null, SecurityGroup: null }, 'KubeKind');

/** The object shape of each kind. */
export interface KubeObjectByKind {
  Namespace: KubeNamespace;
  Node: KubeNode;
  Pod: KubePod;
  Service: KubeService;
  EndpointSlice: KubeEndpointSlice;
  Subnet: KubeSubnet;
  VpcPeering: KubeVpcPeering;
  SecurityGroup: KubeSecurityGroup;
}
/** The object shape of kind `K`. */
export type KubeObjectOf<K extends KubeKind> = KubeObjectByKind[K];

/** The codec of each kind. */
export const KUBE_OBJECT_CODECS = {
  Namespace: KubeNamespaceCodec,
  Node: KubeNodeCodec,
  Pod: KubePodCodec,
  Service: KubeServiceCodec,
  EndpointSlice: KubeEndpointSliceCodec,
  Subnet: KubeSubnetCodec,
  VpcPeering: KubeVpcPeeringCodec,
  SecurityGroup: KubeSecurityGroupCodec,
} as const;

/** Any object netloom reads, discriminated by `kind`. */
export const KubeObjectCodec = discriminated('KubeObject', 'kind', KUBE_OBJECT_CODECS);
/** Any object netloom reads. */
export type KubeObject = t.TypeOf<typeof KubeObjectCodec>;

// Keep the hand-written map and the codecs in step (a compile error here means they drifted).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _kindsInStep: Same<KubeObject, KubeObjectByKind[KubeKind]> & Same<KubeKind, keyof typeof KUBE_OBJECT_CODECS> = true;
void _kindsInStep;

/** A watch event: an object was added, modified or deleted (`deleted` carries the last known state). */
export const KubeWatchEventCodec = struct('KubeWatchEvent', { type: t.keyof({ added: null, modified: null, deleted: null }, '"added" | "modified" | "deleted"'), object: KubeObjectCodec });
/** A watch event. @example { type: 'modified', object: { kind: 'Pod', metadata: { ... }, spec: { nodeName: 'node-1' } } } */
export type KubeWatchEvent = t.TypeOf<typeof KubeWatchEventCodec>;

/** A reference to an object (for events). */
export interface KubeObjectRef {
  readonly kind: KubeKind;
  /** Absent for cluster-scoped kinds. */
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
}

// --- port ---------------------------------------------------------------------------------------------------------

/** Options of {@link KubernetesPort.list}. */
export interface KubeListOptions<K extends KubeKind> {
  readonly kind: K;
  /** Only this namespace (namespaced kinds); absent: all namespaces. */
  readonly namespace?: string;
  /** A label selector in Kubernetes syntax (`app=web,tier!=db`). */
  readonly labelSelector?: string;
}

/** The result of {@link KubernetesPort.list}. */
export interface KubeListResult<K extends KubeKind> {
  /** The objects, ordered by namespace then name. */
  readonly items: readonly KubeObjectOf<K>[];
  /** The list's resourceVersion (a watch may start from it). */
  readonly resourceVersion: string;
}

/** Options of {@link KubernetesPort.watch}. */
export interface KubeWatchOptions {
  /** The kinds to watch (at least one). */
  readonly kinds: readonly KubeKind[];
  /** Only this namespace (namespaced kinds); absent: all namespaces. */
  readonly namespace?: string;
  /**
   * Called when the watch cannot be resumed for a while (the adapter keeps retrying with backoff). Absent: errors
   * are logged.
   */
  readonly onError?: (error: NetloomError) => void;
}

/** Receives watch events. Must not throw (a throw is caught and logged; the watch goes on). */
export type KubeWatchHandler = (event: KubeWatchEvent) => void;

/** Stops a watch. Idempotent. */
export type KubeWatchStop = () => void;

/** Kinds whose annotations netloom writes. */
export type AnnotatableKind = 'Namespace' | 'Node' | 'Pod' | 'Service';

/** Options of {@link KubernetesPort.patchAnnotations}. */
export interface PatchAnnotationsOptions {
  readonly kind: AnnotatableKind;
  /** Required for namespaced kinds. */
  readonly namespace?: string;
  readonly name: string;
  /** Annotations to set; `null` removes one. Other annotations are left alone (a merge patch). */
  readonly annotations: Readonly<Record<string, string | null>>;
  /** Refuse with ConflictError unless the object is still at this resourceVersion. */
  readonly resourceVersion?: string;
}

/** The status shape of each kind whose status netloom writes. */
export interface KubeStatusByKind {
  Subnet: SubnetStatus;
  VpcPeering: VpcPeeringStatus;
  SecurityGroup: SecurityGroupStatus;
  Service: ServiceStatus;
}

/** Options of {@link KubernetesPort.patchStatus}. */
export interface PatchStatusOptions<K extends keyof KubeStatusByKind> {
  readonly kind: K;
  /** Required for namespaced kinds (Service, SecurityGroup). */
  readonly namespace?: string;
  readonly name: string;
  /** The status fields to set (a merge patch of the status subresource; conditions replace conditions). */
  readonly status: KubeStatusByKind[K];
}

/** Options of {@link KubernetesPort.recordEvent}. */
export interface RecordEventOptions {
  readonly regarding: KubeObjectRef;
  readonly type: 'Normal' | 'Warning';
  /** UpperCamelCase, machine-readable (`AddressAllocated`, `ApplyFailed`). */
  readonly reason: string;
  /** Human-readable; never a credential. At most 1024 characters (longer is cut). */
  readonly message: string;
  /** What netloom did (`Allocate`, `Apply`). */
  readonly action?: string;
}

/** Options of {@link KubernetesPort.acquireLease}. */
export interface AcquireLeaseOptions {
  readonly namespace: string;
  readonly name: string;
  /** This replica's identity. */
  readonly holder: string;
  readonly durationSec: number;
}

/** A Lease as seen after an acquire attempt. */
export interface LeaseState {
  /** True if `holder` holds the lease now. */
  readonly acquired: boolean;
  /** The current holder (absent: nobody). */
  readonly holder?: string;
  /** ISO 8601 time of the last renewal. */
  readonly renewTime?: string;
  readonly durationSec?: number;
  /** How many times the lease changed hands (a fencing token). */
  readonly transitions: number;
}

/**
 * The Kubernetes port.
 *
 * Errors: `DeviceConnectionError` (API server unreachable), `DeviceAuthError` (401/403), `DeviceTimeoutError`,
 * `NotFoundError`, `ConflictError` (resourceVersion precondition failed), `DeviceProtocolError` (a reply that is not
 * a Kubernetes object at all), `NotSupportedError` (an undeclared capability), `InputError` (bad options).
 */
export interface KubernetesPort {
  readonly capabilities: PortCapabilities<'kubernetes'>;
  /**
   * Lists the objects of one kind. Read-only, idempotent.
   * @example await kube.list({ kind: 'Pod', namespace: 'shop' }) // { items: [{ kind: 'Pod', metadata: {...}, ... }], resourceVersion: '4711' }
   * @throws DeviceConnectionError, DeviceAuthError, DeviceTimeoutError, NotSupportedError (capability `watch`)
   */
  list<K extends KubeKind>(opts: KubeListOptions<K>): Promise<KubeListResult<K>>;
  /**
   * Watches kinds, informer-style: first an `added` event for every existing object (the initial sync), then every
   * change in the order the API server reports it per object. Resolves once the initial sync has been delivered,
   * with a function that stops the watch. After a disconnect the adapter re-lists and delivers the difference as
   * `added` / `modified` / `deleted`, so a handler sees a consistent stream without gaps (level-triggered: it may
   * see an object again unchanged).
   * @example const stop = await kube.watch({ kinds: ['Pod', 'Namespace'] }, (e) => queue.push(e)); ... stop();
   * @throws DeviceConnectionError, DeviceAuthError, NotSupportedError (capability `watch`)
   */
  watch(opts: KubeWatchOptions, handler: KubeWatchHandler): Promise<KubeWatchStop>;
  /**
   * Sets (or with `null` removes) annotations; others are kept. Idempotent.
   * @example await kube.patchAnnotations({ kind: 'Pod', namespace: 'shop', name: 'web-0',
   *   annotations: { 'netloom.io/ip-address': '10.1.0.5', 'netloom.io/vlan': '100' } })
   * @throws NotFoundError, ConflictError (resourceVersion), NotSupportedError (capability `annotationWrite`)
   */
  patchAnnotations(opts: PatchAnnotationsOptions): Promise<void>;
  /**
   * Writes a status subresource. Idempotent.
   * @example await kube.patchStatus({ kind: 'Subnet', name: 'web', status: { conditions: [{ type: 'Ready', status: 'True' }], vni: 10010 } })
   * @throws NotFoundError, NotSupportedError (capability `statusWrite`)
   */
  patchStatus<K extends keyof KubeStatusByKind>(opts: PatchStatusOptions<K>): Promise<void>;
  /**
   * Records an event on an object (repeated events are aggregated by the API server, not here). Not idempotent:
   * each call is an occurrence.
   * @example await kube.recordEvent({ regarding: { kind: 'Pod', namespace: 'shop', name: 'web-0' }, type: 'Normal',
   *   reason: 'AddressAllocated', message: 'allocated 10.1.0.5 in subnet web' })
   * @throws NotSupportedError (capability `events`)
   */
  recordEvent(opts: RecordEventOptions): Promise<void>;
  /**
   * Tries to acquire the Lease, or renews it if `holder` holds it; never waits. Present if and only if the
   * capability `leases` is declared.
   * @example await kube.acquireLease?.({ namespace: 'netloom-system', name: 'netloom-leader', holder: 'pod-a', durationSec: 15 })
   * // { acquired: true, holder: 'pod-a', transitions: 3, ... }
   * @throws ConflictError (lost a race: try again later)
   */
  acquireLease?(opts: AcquireLeaseOptions): Promise<LeaseState>;
  /** Gives the Lease up if `holder` holds it. Idempotent. Present iff capability `leases`. */
  releaseLease?(opts: Omit<AcquireLeaseOptions, 'durationSec'>): Promise<void>;
  /** Stops every watch and releases connections. Idempotent; later calls fail with DeviceConnectionError. */
  close(): Promise<void>;
}

/** What the runtime passes to a Kubernetes port factory. */
export interface KubernetesFactoryOptions {
  /** Adapter-specific options (kubeconfig path, in-cluster, scenario file), validated with the adapter's codec. */
  readonly options: unknown;
  readonly logger: Logger;
}
