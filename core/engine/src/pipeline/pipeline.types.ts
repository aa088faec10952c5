/**
 * The data that flows through the reconcile pipeline (ARCHITECTURE §4), stage by stage:
 *
 * ```
 * ClusterSnapshot + EngineSettings + intent plugins
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
import type { ChangeSet, DesiredServiceStatus, DeviceConfig, DevicePortKind } from '@netloom/ports';

/**
 * The cluster snapshot and the settings the engine and the intent plugins read. They are defined by the intent-plugin
 * port of `@netloom/ports` (a plugin needs nothing from the engine) and re-exported here under their old names.
 */
export type { ClusterSnapshot, EngineSettings, NumericRange, TopologyNodeSettings, TopologyRouterSettings } from '@netloom/ports';

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
  /**
   * The status each LoadBalancer Service should have (`status.loadBalancer.ingress`), by namespace and name: what
   * the service-lb plugin set, without the Services of failed VPCs (their status is left alone). Absent or empty
   * when no plugin sets one.
   */
  readonly serviceStatus?: readonly DesiredServiceStatus[];
  /**
   * The VLAN of each leg of a VPC router (ADR 0012: per router and logical switch, from the per-host VLAN
   * allocator), sorted by router then LS. Absent or empty when no router serves a VPC.
   */
  readonly routerVlans?: readonly RouterVlan[];
  /**
   * The legs of the firewalls (ADR 0013: per firewall and logical switch of a peered VPC its leaf carries, a VLAN of
   * its trunk and an address of the subnet), sorted by firewall then LS. Absent or empty when no firewall is
   * plugged in or no VPC is peered.
   */
  readonly firewallLegs?: readonly FirewallLegAllocation[];
}

/** A firewall's leg in one logical switch: the VLAN on its trunk and its address (with the subnet's prefix). */
export interface FirewallLegAllocation {
  readonly firewall: string;
  readonly vpc: string;
  /** The logical switch's name. */
  readonly ls: string;
  readonly vlan: number;
  /** IPv4 interface address, e.g. `10.60.1.250/24`. */
  readonly address: string;
}

/** The VLAN a router's leg for one logical switch uses on its uplink (and the leaf on the router's port). */
export interface RouterVlan {
  readonly router: string;
  /** The logical switch's name. */
  readonly ls: string;
  readonly vlan: number;
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
  /**
   * What the projection left out because a device cannot do it (its adapter does not declare the capability), one
   * problem per device and VPC and missing feature, on the `VPC` object: "leaf1 (hw-vtep) has no vrf/anycastGateway:
   * VPC shop is switched but not routed on it". Not failures: the rest of the config goes to the device. Absent or
   * empty when every device can do everything asked of it.
   */
  readonly problems?: readonly ObjectProblem[];
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
