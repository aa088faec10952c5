/**
 * Status write-back (ARCHITECTURE §4, last stage): what netloom decided goes back to the cluster, once per pass (so
 * every change of a batch window is written together).
 * - Pods get annotations with their allocation: addresses, MAC, and the VLAN (network overlay) or tunnel key
 *   (host overlay) of their node — what the CNI plugin and people read.
 * - LoadBalancer Services get `status.loadBalancer.ingress` with their VIP (as the service-lb plugin decided), once
 *   the VPC's changes have landed on the devices.
 * - VpcPeerings get a `Ready` condition: `True`/`Programmed` when the peering is in the desired network and its VPCs'
 *   changes landed; `False` with the reason otherwise (`NetloomInvalid`, `NetloomNotFound`, `NetloomConflict` for a
 *   problem of the resource, `VpcFailed` when one of its VPCs did not compile, `ApplyFailed` when the devices did not
 *   take the change yet).
 * - SecurityGroups get a `Ready` condition the same way (`True`/`Programmed` when the group is in the desired
 *   network and its VPC's changes landed; `False` with a problem's reason — a rule left out is one — or `VpcFailed`,
 *   `NotProgrammed`, `ApplyFailed`).
 * - Objects with a problem get a Warning event saying what is wrong, once per distinct problem (not every pass).
 * Writes happen only when something changed, so a write-back never triggers a useless pass.
 * @packageDocumentation
 */
import type { NetworkState } from '@netloom/domain';
import type { ObjectProblem } from '@netloom/engine';
import { securityGroupName } from '@netloom/plugin-security-groups';
import {
  isNetloomError,
  type Condition,
  type DesiredServiceStatus,
  type KubeKind,
  type KubernetesPort,
  type KubePod,
  type KubeSecurityGroup,
  type KubeService,
  type KubeVpcPeering,
  type Logger,
  type ServiceStatus,
} from '@netloom/ports';

/** Pod annotations netloom writes. */
export const STATUS_ANNOTATIONS = {
  ips: 'netloom.io/allocated-ips',
  mac: 'netloom.io/mac-address',
  vlan: 'netloom.io/vlan',
  tunnelKey: 'netloom.io/tunnel-key',
  subnet: 'netloom.io/allocated-subnet',
} as const;

const REASON_BY_CODE: Readonly<Record<string, string>> = {
  CONFLICT: 'NetloomConflict',
  'RESOURCE.EXHAUSTED': 'NetloomExhausted',
  'INPUT.INVALID': 'NetloomInvalid',
  'DOMAIN.INVARIANT': 'NetloomInvalid',
  NOT_FOUND: 'NetloomNotFound',
};

/** Reasons of the `Ready` condition of a VpcPeering besides the problem reasons ({@link REASON_BY_CODE}). */
export const PEERING_REASONS = { programmed: 'Programmed', vpcFailed: 'VpcFailed', applyFailed: 'ApplyFailed', notProgrammed: 'NotProgrammed' } as const;

/** What one pass hands to {@link StatusWriter.write}. */
export interface WriteBackInput {
  readonly network: NetworkState;
  readonly problems: readonly ObjectProblem[];
  /** The pods of the snapshot the pass compiled. */
  readonly pods: readonly KubePod[];
  /** The Services of the snapshot (their current status is compared with the desired one). Default none. */
  readonly services?: readonly KubeService[];
  /** The status each LoadBalancer Service should have (`DesiredState.serviceStatus`). Default none. */
  readonly serviceStatus?: readonly DesiredServiceStatus[];
  /** The VpcPeerings of the snapshot. Default none. */
  readonly peerings?: readonly KubeVpcPeering[];
  /** The SecurityGroups of the snapshot (each gets a `Ready` condition). Default none. */
  readonly securityGroups?: readonly KubeSecurityGroup[];
  /** VPCs that did not compile (`DesiredState.failedVpcs`). */
  readonly failedVpcs?: readonly string[];
  /** VPCs whose changes did not land on the devices in this pass (`ReconcileReport.failedVpcs`). */
  readonly unappliedVpcs?: readonly string[];
}

/** What one write-back did. */
export interface WriteBackResult {
  readonly annotated: number;
  /** Status subresources written (Services' load-balancer ingress, VpcPeerings' and SecurityGroups' conditions). */
  readonly statuses: number;
  readonly events: number;
  /** Writes that failed (logged; retried on the next pass). */
  readonly failed: number;
}

/** Writes allocations back as pod annotations and problems as events; remembers what it already reported. */
export class StatusWriter {
  readonly #reported = new Set<string>();

  constructor(
    private readonly source: KubernetesPort,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Writes back one pass's results. */
  async write(opts: WriteBackInput): Promise<WriteBackResult> {
    let annotated = 0;
    let statuses = 0;
    let events = 0;
    let failed = 0;
    const podsByKey = new Map(opts.pods.map((p) => [`${p.metadata.namespace ?? ''}/${p.metadata.name}`, p]));
    for (const ep of opts.network.endpoints ?? []) {
      if (ep.owner === undefined || ep.owner.kind.toLowerCase() !== 'pod' || ep.owner.namespace === undefined) continue;
      const pod = podsByKey.get(`${ep.owner.namespace}/${ep.owner.name}`);
      if (pod === undefined) continue;
      const want: Record<string, string | null> = {
        [STATUS_ANNOTATIONS.ips]: ep.ips.join(','),
        [STATUS_ANNOTATIONS.mac]: ep.mac ?? null,
        [STATUS_ANNOTATIONS.vlan]: ep.vlan !== undefined ? String(ep.vlan) : null,
        [STATUS_ANNOTATIONS.tunnelKey]: ep.tunnelKey !== undefined ? String(ep.tunnelKey) : null,
        [STATUS_ANNOTATIONS.subnet]: ep.subnet,
      };
      const have = pod.metadata.annotations ?? {};
      const patch = Object.fromEntries(Object.entries(want).filter(([k, v]) => (have[k] ?? null) !== v));
      if (Object.keys(patch).length === 0) continue;
      try {
        await this.source.patchAnnotations({ kind: 'Pod', namespace: ep.owner.namespace, name: ep.owner.name, annotations: patch });
        annotated++;
      } catch (e) {
        failed++;
        this.logger.warn({ pod: `${ep.owner.namespace}/${ep.owner.name}`, err: isNetloomError(e) ? e.code : String(e) }, 'could not annotate pod');
      }
    }
    const unapplied = new Set(opts.unappliedVpcs ?? []);
    const services = new Map((opts.services ?? []).map((svc) => [`${svc.metadata.namespace ?? ''}/${svc.metadata.name}`, svc]));
    for (const want of opts.serviceStatus ?? []) {
      const svc = services.get(`${want.namespace}/${want.name}`);
      // A VIP is announced once the load balancer carries it; a Service that is gone has no status to write.
      if (svc === undefined || (want.vpc !== undefined && unapplied.has(want.vpc))) continue;
      if (sameIngress(svc.status, want.status)) continue;
      try {
        await this.source.patchStatus({ kind: 'Service', namespace: want.namespace, name: want.name, status: want.status });
        statuses++;
      } catch (e) {
        failed++;
        this.logger.warn({ service: `${want.namespace}/${want.name}`, err: isNetloomError(e) ? e.code : String(e) }, 'could not write the load-balancer status of a Service');
      }
    }
    for (const cr of opts.peerings ?? []) {
      const r = await this.writeReady({ kind: 'VpcPeering', name: cr.metadata.name }, cr, this.peeringReady(cr, opts, unapplied), 'could not write the status of a VpcPeering');
      if (r === 'written') statuses++;
      else if (r === 'failed') failed++;
    }
    for (const cr of opts.securityGroups ?? []) {
      const namespace = cr.metadata.namespace ?? '';
      const r = await this.writeReady({ kind: 'SecurityGroup', namespace, name: cr.metadata.name }, cr, this.securityGroupReady(cr, opts, unapplied), 'could not write the status of a SecurityGroup');
      if (r === 'written') statuses++;
      else if (r === 'failed') failed++;
    }
    for (const p of opts.problems) {
      const key = `${p.kind}/${p.namespace ?? ''}/${p.name}/${p.code}/${p.message}`;
      if (this.#reported.has(key)) continue;
      try {
        await this.source.recordEvent({
          regarding: { kind: p.kind as KubeKind, ...(p.namespace !== undefined ? { namespace: p.namespace } : {}), name: p.name },
          type: 'Warning',
          reason: REASON_BY_CODE[p.code] ?? 'NetloomFailed',
          message: `${p.message} [${p.code}]`,
          action: 'Compile',
        });
        this.#reported.add(key);
        events++;
      } catch (e) {
        failed++;
        this.logger.warn({ object: `${p.kind} ${p.namespace ?? ''}/${p.name}`, err: isNetloomError(e) ? e.code : String(e) }, 'could not record event');
      }
    }
    return { annotated, statuses, events, failed };
  }

  /**
   * Writes a CR's `Ready` condition when it differs from what the CR shows (status, reason, message or generation);
   * other conditions are kept. `unchanged`: nothing to write.
   */
  private async writeReady(
    target: { readonly kind: 'VpcPeering' | 'SecurityGroup'; readonly namespace?: string; readonly name: string },
    cr: { readonly metadata: { readonly generation?: number }; readonly status?: { readonly conditions?: readonly Condition[]; readonly observedGeneration?: number } },
    ready: { status: 'True' | 'False'; reason: string; message: string },
    failure: string,
  ): Promise<'written' | 'unchanged' | 'failed'> {
    const current = (cr.status?.conditions ?? []).find((c) => c.type === 'Ready');
    const generation = cr.metadata.generation;
    if (current !== undefined && current.status === ready.status && current.reason === ready.reason && current.message === ready.message && current.observedGeneration === generation && cr.status?.observedGeneration === generation) return 'unchanged';
    const condition: Condition = {
      type: 'Ready',
      status: ready.status,
      reason: ready.reason,
      message: ready.message,
      lastTransitionTime: current !== undefined && current.status === ready.status && current.lastTransitionTime !== undefined ? current.lastTransitionTime : new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    };
    const others = (cr.status?.conditions ?? []).filter((c) => c.type !== 'Ready');
    const status = { conditions: [...others, condition], ...(generation === undefined ? {} : { observedGeneration: generation }) };
    try {
      await this.source.patchStatus({ ...target, status });
      return 'written';
    } catch (e) {
      this.logger.warn({ object: `${target.kind} ${target.namespace === undefined ? '' : `${target.namespace}/`}${target.name}`, err: isNetloomError(e) ? e.code : String(e) }, failure);
      return 'failed';
    }
  }

  /**
   * The `Ready` condition a SecurityGroup should have after this pass: `False` with the problem's reason when the
   * group has a problem (a rule left out counts), `VpcFailed`, `NotProgrammed` (not in the desired network),
   * `ApplyFailed`; else `True`/`Programmed`.
   */
  private securityGroupReady(cr: KubeSecurityGroup, opts: WriteBackInput, unapplied: ReadonlySet<string>): { status: 'True' | 'False'; reason: string; message: string } {
    const namespace = cr.metadata.namespace ?? '';
    const name = cr.metadata.name;
    const mine = opts.problems.filter((p) => p.kind === 'SecurityGroup' && p.namespace === namespace && p.name === name);
    const first = mine[0];
    if (first !== undefined) return { status: 'False', reason: REASON_BY_CODE[first.code] ?? 'NetloomFailed', message: mine.map((p) => `${p.message} [${p.code}]`).join('; ') };
    const group = (opts.network.securityGroups ?? []).find((g) => g.name === securityGroupName(namespace, name));
    if (group === undefined) {
      const vpc = cr.spec.vpc;
      if (vpc !== undefined && (opts.failedVpcs ?? []).includes(vpc)) return { status: 'False', reason: PEERING_REASONS.vpcFailed, message: `VPC ${JSON.stringify(vpc)} did not compile (see the problems of its namespaces); the group waits for it` };
      return { status: 'False', reason: PEERING_REASONS.notProgrammed, message: `the group is not part of the desired network (a VPC that did not compile leaves its groups out: see the events of namespace ${JSON.stringify(namespace)})` };
    }
    const vpc = group.vpc;
    if (unapplied.has(vpc)) return { status: 'False', reason: PEERING_REASONS.applyFailed, message: `the devices did not take the changes of VPC ${JSON.stringify(vpc)} yet; retried with backoff` };
    const rules = cr.spec.rules?.length ?? 0;
    return { status: 'True', reason: PEERING_REASONS.programmed, message: `${rules} rule${rules === 1 ? '' : 's'} in VPC ${JSON.stringify(vpc)}` };
  }

  /** The `Ready` condition a VpcPeering should have after this pass. */
  private peeringReady(cr: KubeVpcPeering, opts: WriteBackInput, unapplied: ReadonlySet<string>): { status: 'True' | 'False'; reason: string; message: string } {
    const name = cr.metadata.name;
    const mine = opts.problems.filter((p) => p.kind === 'VpcPeering' && p.namespace === undefined && p.name === name);
    const first = mine[0];
    if (first !== undefined) return { status: 'False', reason: REASON_BY_CODE[first.code] ?? 'NetloomFailed', message: mine.map((p) => `${p.message} [${p.code}]`).join('; ') };
    const [a, b] = cr.spec.vpcs;
    const failedVpcs = new Set(opts.failedVpcs ?? []);
    const inNetwork = (opts.network.peerings ?? []).some((p) => p.name === name);
    const broken = [a, b].filter((v) => failedVpcs.has(v));
    if (broken.length > 0) return { status: 'False', reason: PEERING_REASONS.vpcFailed, message: `VPC ${broken.map((v) => JSON.stringify(v)).join(' and ')} did not compile (see the problems of its namespaces); the peering waits for it` };
    if (!inNetwork) return { status: 'False', reason: PEERING_REASONS.notProgrammed, message: 'the peering is not part of the desired network' };
    const pending = [a, b].filter((v) => unapplied.has(v));
    if (pending.length > 0) return { status: 'False', reason: PEERING_REASONS.applyFailed, message: `the devices did not take the changes of VPC ${pending.map((v) => JSON.stringify(v)).join(' and ')} yet; retried with backoff` };
    return { status: 'True', reason: PEERING_REASONS.programmed, message: `traffic allowed between VPCs ${JSON.stringify(a)} and ${JSON.stringify(b)}: ${cr.spec.allow.map(describeMatch).join(', ')}` };
  }
}

/** `tcp/443`, `udp/53,8000-8080`, `any`. */
function describeMatch(m: KubeVpcPeering['spec']['allow'][number]): string {
  const ports = (m.ports ?? []).map((p) => (typeof p === 'object' ? (p.from === p.to ? String(p.from) : `${p.from}-${p.to}`) : String(p)));
  return ports.length === 0 ? m.protocol : `${m.protocol}/${ports.join(',')}`;
}

/** Whether a Service's status already shows exactly the desired load-balancer ingress (order matters, as in the API). */
function sameIngress(have: ServiceStatus | undefined, want: ServiceStatus): boolean {
  const norm = (s: ServiceStatus | undefined): string => JSON.stringify((s?.loadBalancer?.ingress ?? []).map((i) => [i.ip ?? null, i.hostname ?? null]));
  return norm(have) === norm(want);
}
