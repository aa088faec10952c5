/**
 * The data that flows through the reconcile pipeline (ARCHITECTURE §4), stage by stage:
 *
 * ```
 * ClusterSnapshot + EngineSettings
 *   → compileIntent   → DesiredState      (domain objects, allocations persisted, per-object problems)
 *   → project         → DesiredConfigs    (per device: the owned config in the port's vocabulary)
 *   → reconcile       → ReconcileReport   (per device: observe, plan, apply, verify, confirm | rollback)
 * ```
 *
 * These types are the seams between the stages: each stage is built and tested on its own against them.
 * @packageDocumentation
 */
import type { GarbageReport } from '../intent/garbage.collector';
import type { NetworkState } from '@netloom/domain';
import type {
  ChangeSet,
  DeviceConfig,
  DevicePortKind,
  KubeEndpointSlice,
  KubeNamespace,
  KubeNode,
  KubePod,
  KubeService,
  KubeSubnet,
  KubeVpcPeering,
} from '@netloom/ports';

/** The cluster as the intent compiler reads it: everything the Kubernetes port lists, at one moment. */
export interface ClusterSnapshot {
  readonly namespaces: readonly KubeNamespace[];
  readonly nodes: readonly KubeNode[];
  readonly pods: readonly KubePod[];
  readonly services: readonly KubeService[];
  readonly endpointSlices: readonly KubeEndpointSlice[];
  readonly subnets: readonly KubeSubnet[];
  readonly peerings: readonly KubeVpcPeering[];
}

/** An inclusive numeric range. */
export interface NumericRange {
  readonly from: number;
  readonly to: number;
}

/** One node of the topology: where it is plugged in, how it is reached. */
export interface TopologyNodeSettings {
  /** Kubernetes node name. */
  readonly name: string;
  /** The leaf device (inventory name) the node's uplink is plugged into (network overlay). */
  readonly leaf?: string;
  /** The leaf port (interface name) of the node's uplink. */
  readonly port?: string;
  /** Overlay of this node; default: the profile's overlay (`hybrid` defaults nodes to `network`). */
  readonly overlay?: 'network' | 'host';
  /** VTEP address of the node (host overlay). */
  readonly vtepIp?: string;
  /** The vswitch device (inventory name) of the node. */
  readonly vswitch?: string;
  /** The node's uplink interface towards its leaf (the `br-int` trunk, network overlay); default `eth1`. */
  readonly uplink?: string;
}

/** The parts of the deployment profile the engine needs. The runtime maps the profile to this. */
export interface EngineSettings {
  /** Namespace → VPC policy: own VPC per namespace (default), or every namespace in `default`. */
  readonly vpcPolicy: 'per-namespace' | 'default';
  readonly overlay: 'network' | 'host' | 'hybrid';
  readonly addressPlan: {
    readonly vni: { readonly l2: readonly NumericRange[]; readonly l3: readonly NumericRange[] };
    /** Per-host VLAN range. */
    readonly vlan: NumericRange;
    /** Blocks subnets are carved from when a namespace has no `Subnet` resource (IPv4 and/or IPv6 CIDRs). */
    readonly containerBlocks: readonly string[];
    readonly defaultSubnetPrefix: { readonly ipv4: number; readonly ipv6: number };
    readonly vipPools: readonly { readonly name: string; readonly cidr: string; readonly exclude?: readonly string[] }[];
  };
  readonly topology: { readonly nodes: readonly TopologyNodeSettings[] };
  /** The devices of the inventory the engine drives, by role. */
  readonly devices: readonly { readonly name: string; readonly role: 'leaf' | 'vswitch' | 'firewall' | 'loadBalancer' }[];
}

/** A problem that belongs to one Kubernetes object: reported on that object (event / status), never fatal. */
export interface ObjectProblem {
  /** `Namespace`, `Pod`, `Service`, `Subnet`, `VpcPeering`, ... */
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  /** A netloom error code (`INPUT.INVALID`, `RESOURCE.EXHAUSTED`, `CONFLICT`, `DOMAIN.INVARIANT`). */
  readonly code: string;
  readonly message: string;
}

/** What the cluster wants, in the domain's terms, after allocation. */
export interface DesiredState {
  /** The desired network (validated with the domain's `checkNetwork`). */
  readonly network: NetworkState;
  /** Per-object problems; the objects concerned are left out of `network` (or kept at their last good state). */
  readonly problems: readonly ObjectProblem[];
  /**
   * VPCs that could not be compiled. Their objects on devices must be left as they are (neither changed nor
   * deleted) until they compile again: blast radius.
   */
  readonly failedVpcs: readonly string[];
  /** What the pass released because its owner left the intent (absent when garbage collection was off). */
  readonly garbage?: GarbageReport;
}

/** The desired owned configuration of one device. */
export interface DeviceDesired {
  /** Inventory name of the device. */
  readonly device: string;
  readonly port: DevicePortKind;
  /** Owned objects, in the port vocabulary's input form (decode with the port's config codec before plan). */
  readonly config: DeviceConfig;
}

/** The projection's output: per device, what it should hold. */
export interface DesiredConfigs {
  readonly devices: ReadonlyMap<string, DeviceDesired>;
  /** Copied from {@link DesiredState.failedVpcs}. */
  readonly failedVpcs: readonly string[];
}

/**
 * Which VPC an object on a device belongs to (from the names the projection gives objects), or undefined for
 * objects shared by all VPCs (the bridge, the uplink). The reconciler uses it to leave failed VPCs' objects alone
 * and to compensate per VPC. `config` is the config the object is part of (desired or observed): objects that
 * carry no name of their own (a fabric binding) are resolved through the objects they reference there.
 */
export type VpcOfObject = (
  port: DevicePortKind,
  kind: string,
  object: { readonly key: string } & Record<string, unknown>,
  config?: DeviceConfig,
) => string | undefined;

/** What happened on one device in one reconcile pass. */
export interface DeviceReport {
  readonly device: string;
  readonly port: DevicePortKind;
  /**
   * `unchanged`: empty plan, nothing written; `applied`: confirmed; `failed`: the device's own apply failed and it
   * was rolled back; `compensated`: applied, then rolled back because another device of the same VPC change failed;
   * `skipped`: not attempted (unreachable, locked, or its VPCs failed to compile); `planned`: a dry run planned
   * changes and wrote nothing.
   */
  readonly outcome: 'unchanged' | 'applied' | 'failed' | 'compensated' | 'skipped' | 'planned';
  readonly changeSet?: ChangeSet;
  readonly error?: { readonly code: string; readonly message: string };
  /** VPCs whose changes this device carried. */
  readonly vpcs: readonly string[];
  /**
   * When the device should be tried again (ISO 8601), after `failed`, `compensated` or `skipped`: exponential
   * backoff per device, reset by a pass that leaves the device `applied` or `unchanged`.
   */
  readonly nextRetryAt?: string;
  /** Consecutive passes this device did not converge in (0 after success). */
  readonly failures?: number;
}

/** The outcome of one reconcile pass. */
export interface ReconcileReport {
  readonly devices: readonly DeviceReport[];
  readonly problems: readonly ObjectProblem[];
  /** ISO 8601 start and end. */
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The pass id (the journal's `reconcile/pass/<id>`); absent for a dry run. */
  readonly passId?: string;
  /** True for a dry run (plan only, nothing written). */
  readonly dryRun?: boolean;
  /**
   * VPCs whose changes did not land in this pass (a device carrying them failed, was locked or was compensated),
   * sorted. Does not repeat {@link DesiredConfigs.failedVpcs}.
   */
  readonly failedVpcs?: readonly string[];
}
