/**
 * The controller: one object that runs the pipeline of ARCHITECTURE §4 for a loaded profile —
 * source snapshot → compile intent (allocations persisted) → project → reconcile (plan, or apply with verify,
 * confirm, rollback and compensation). The CLI commands `plan`, `apply`, `run`, `drift` and `demo` use it.
 * @packageDocumentation
 */
import * as os from 'node:os';
import type { Container } from 'inversify';
import {
  Reconciler,
  ReconcileLoop,
  compileIntent,
  project,
  vpcOfObject,
  type ClusterSnapshot,
  type DesiredConfigs,
  type DesiredState,
  type DriftReport,
  type EngineSettings,
  type ObjectProblem,
  type ProgressEvent,
  type ReconcileReport,
} from '@netloom/engine';
import type { DeviceConfig, DeviceDriver, IntentPlugin, KubernetesPort, Logger, StorePort } from '@netloom/ports';
import type { DeviceDrivers } from '../drivers';
import { engineSettingsFromProfile, intentPluginsFromProfile } from '../engine-settings';
import { EchoFilter } from './echo-filter';
import type { AdapterRegistry } from '../adapters/registry';
import type { Profile } from '../profile/profile.codec';
import { TOKENS } from '../tokens';
import { LeaderElector } from './leader-elector';
import { snapshotOf } from './source';
import { StatusWriter, type WriteBackResult } from './status';

/** What one compile produced. */
export interface CompileResult {
  /** The cluster as read for this compile. */
  readonly cluster: ClusterSnapshot;
  readonly desired: DesiredState;
  readonly configs: DesiredConfigs;
}

/** What one apply produced. */
export interface ApplyResult {
  readonly compiled: CompileResult;
  readonly report: ReconcileReport;
  /** What was written back to the cluster (pod annotations, Service and VpcPeering status, events). */
  readonly writeBack: WriteBackResult;
}

/** Options of {@link Controller.create}. */
export interface ControllerOptions {
  /** The composition root (profile, logger, store, drivers). */
  readonly container: Container;
  /** The Kubernetes source (opened by the caller: it owns its lifecycle). */
  readonly source: KubernetesPort;
}

/** Runs the reconcile pipeline for one profile. */
export class Controller {
  readonly settings: EngineSettings;
  /** The intent plugins the profile enables (`plugins`), handed to every compile. */
  readonly plugins: readonly IntentPlugin[];
  readonly reconciler: Reconciler;
  readonly status: StatusWriter;

  private constructor(
    readonly profile: Profile,
    readonly store: StorePort,
    readonly source: KubernetesPort,
    readonly logger: Logger,
    readonly drivers: ReadonlyMap<string, DeviceDriver<DeviceConfig>>,
    settings: EngineSettings,
  ) {
    this.settings = settings;
    this.plugins = intentPluginsFromProfile(profile, logger.child({ component: 'plugins' }));
    this.reconciler = new Reconciler({
      drivers,
      store,
      vpcOfObject,
      logger: logger.child({ component: 'reconciler' }),
      confirmWithinSec: profile.controller.confirmTimeoutSec,
    });
    this.status = new StatusWriter(source, logger.child({ component: 'status' }));
  }

  /**
   * Builds a controller from the container: checks the profile's plugins, opens the store, creates a driver per
   * engine-driven device.
   * @throws InputError (an unknown plugin in the profile, with its path), and what opening the store throws
   */
  static async create(opts: ControllerOptions): Promise<Controller> {
    const profile = opts.container.get<Profile>(TOKENS.Profile);
    const logger = opts.container.get<Logger>(TOKENS.Logger);
    intentPluginsFromProfile(profile); // fail before the store is opened
    const store = await opts.container.getAsync<StorePort>(TOKENS.Store);
    const all = opts.container.get<DeviceDrivers>(TOKENS.DeviceDrivers);
    const drivers = new Map<string, DeviceDriver<DeviceConfig>>();
    // Each device's capabilities come from its adapter's manifest: the projection shapes its config to them.
    const settings = engineSettingsFromProfile(profile, opts.container.get<AdapterRegistry>(TOKENS.AdapterRegistry));
    for (const d of settings.devices) {
      const set = d.role === 'leaf' || d.role === 'router' ? all.fabric : d.role === 'vswitch' ? all.vswitch : d.role === 'firewall' ? all.firewall : all.loadBalancer;
      drivers.set(d.name, set.get(d.name) as unknown as DeviceDriver<DeviceConfig>);
    }
    return new Controller(profile, store, opts.source, logger, drivers, settings);
  }

  /** Reads the source and compiles the desired state and the per-device configs (allocations are persisted). */
  async compile(): Promise<CompileResult> {
    const cluster = await snapshotOf(this.source);
    const desired = await compileIntent({ cluster, settings: this.settings, store: this.store, plugins: this.plugins });
    const g = desired.garbage;
    if (g !== undefined && g.vpcs.length + g.subnets.length + g.nodes.length + g.keptSubnets.length > 0) {
      this.logger.info({ vpcs: g.vpcs, subnets: g.subnets, nodes: g.nodes, vlans: g.vlans, keptForStickyOwners: g.keptSubnets }, 'released the allocations of owners that left the cluster');
    }
    const configs = project({ desired, settings: this.settings });
    // What a device cannot do is a problem of its VPC like any other: reported on it, never a failure.
    const left = configs.problems ?? [];
    return { cluster, desired: left.length === 0 ? desired : { ...desired, problems: mergeProblems(desired.problems, left) }, configs };
  }

  /** Plans every device: the change sets with their exact operations. Writes nothing to any device. */
  async plan(opts: { onProgress?: (e: ProgressEvent) => void } = {}): Promise<{ compiled: CompileResult; report: ReconcileReport }> {
    const compiled = await this.compile();
    const report = await this.reconciler.reconcile(compiled.configs, { dryRun: true, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    return { compiled, report };
  }

  /**
   * Applies: resolves an unfinished earlier pass first, then one reconcile pass, then writes the results back to
   * the cluster (pod annotations, events for problems).
   */
  async apply(opts: { onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal } = {}): Promise<ApplyResult> {
    await this.reconciler.recover();
    return this.pass(opts);
  }

  /** One pass: compile, reconcile, write back. */
  private async pass(opts: { onProgress?: (e: ProgressEvent) => void; signal?: AbortSignal } = {}): Promise<ApplyResult> {
    const compiled = await this.compile();
    const report = await this.reconciler.reconcile(compiled.configs, {
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const writeBack = await this.status.write({
      network: compiled.desired.network,
      problems: compiled.desired.problems,
      pods: compiled.cluster.pods,
      services: compiled.cluster.services,
      serviceStatus: compiled.desired.serviceStatus ?? [],
      // VpcPeering conditions are vpc-peering's to give: with the plugin off, the resources are left alone.
      peerings: this.plugins.some((p) => p.id === 'vpc-peering') ? compiled.cluster.peerings : [],
      securityGroups: this.plugins.some((p) => p.id === 'security-groups') ? (compiled.cluster.securityGroups ?? []) : [],
      failedVpcs: compiled.desired.failedVpcs,
      unappliedVpcs: report.failedVpcs ?? [],
    });
    return { compiled, report, writeBack };
  }

  /** Desired, last applied and actual, for what differs. */
  async drift(): Promise<DriftReport> {
    const { configs } = await this.compile();
    return this.reconciler.drift(configs);
  }

  /**
   * The controller loop: watches the source, coalesces changes in the batch window, reconciles, resyncs
   * periodically. Resolves when `signal` aborts.
   */
  async run(opts: { signal: AbortSignal; onReport?: (r: ReconcileReport) => void }): Promise<void> {
    const election = this.profile.controller.leaderElection;
    const newLoop = (): ReconcileLoop =>
      new ReconcileLoop({
        windowMs: this.profile.controller.batchWindowMs,
        resyncSec: this.profile.controller.resyncSec,
        nextRetryAt: () => this.reconciler.nextRetryAt(),
        pass: async () => {
          const { report } = await this.pass();
          opts.onReport?.(report);
          return report;
        },
        logger: this.logger.child({ component: 'loop' }),
      });
    let elector: LeaderElector | undefined;
    // The loop runs only while this replica leads (a new loop for each term).
    let loop: ReconcileLoop | undefined;
    const lead = async (): Promise<void> => {
      await this.reconciler.recover();
      loop = newLoop();
      loop.start();
      loop.trigger('leader');
    };
    if (election === undefined) await lead();
    else {
      // Only the leader reconciles; its fence (the Lease epoch in the store) guards every device write (ADR 0008).
      elector = new LeaderElector({
        kube: this.source,
        store: this.store,
        holder: election.identity ?? `${os.hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 40)}-${process.pid}`,
        namespace: election.namespace,
        name: election.name,
        durationSec: election.durationSec,
        logger: this.logger.child({ component: 'leader' }),
        onLead: (fence) => {
          this.reconciler.setFence(fence);
          lead().catch((e: unknown) => this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'could not start reconciling as the leader'));
        },
        onLose: () => {
          const ending = loop;
          loop = undefined;
          void ending?.stop();
        },
      });
      elector.start();
    }
    // Echoes of the pass's own write-back (pod annotations, Service and VpcPeering status) do not trigger a pass.
    const echoes = new EchoFilter();
    const stopWatch = await this.source.watch({ kinds: ['Namespace', 'Node', 'Pod', 'Service', 'EndpointSlice', 'Subnet', 'VpcPeering', 'SecurityGroup'] }, (event) => {
      if (echoes.changesIntent(event)) loop?.trigger('watch');
    });
    // The loop's timers are unref'd (a library must not hold a process open); the controller is the process's
    // job, so it holds the process open itself until aborted.
    const keepAlive = setInterval(() => undefined, 1 << 30);
    await new Promise<void>((resolve) => {
      if (opts.signal.aborted) resolve();
      else opts.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(keepAlive);
    stopWatch();
    await elector?.stop();
    await loop?.stop();
  }

}

/** The compiler's problems and the projection's, without repeats, in the compiler's order (kind, namespace, name). */
function mergeProblems(a: readonly ObjectProblem[], b: readonly ObjectProblem[]): ObjectProblem[] {
  const key = (p: ObjectProblem): string => JSON.stringify([p.kind, p.namespace ?? '', p.name, p.code, p.message]);
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  const seen = new Set(a.map(key));
  return [...a, ...b.filter((p) => !seen.has(key(p)))].sort(
    (x, y) => cmp(x.kind, y.kind) || cmp(x.namespace ?? '', y.namespace ?? '') || cmp(x.name, y.name) || cmp(x.code, y.code) || cmp(x.message, y.message),
  );
}
