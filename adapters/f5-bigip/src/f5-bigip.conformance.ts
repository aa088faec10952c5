/**
 * Simulator targets for the conformance kit: a fresh simulated BIG-IP per check (HTTPS with a certificate the target
 * trusts through `tls.ca`, a user and password), and the device harness the kit needs, over the simulator's test API:
 *
 * - `seedForeign` puts an object on the device out of band, described as not netloom's (an existing partition such
 *   as `Common` is left as it is);
 * - `readConfig` parses the simulator's dump with the adapter's own mapping: owned objects in the vocabulary, foreign
 *   ones as the device shows them (with their `generation`, so any change to them shows);
 * - `changeOutOfBand` renders the change with the adapter's renderer and applies it out of band (not under the lock);
 * - `injectFault({ afterWrites })` fails the next transaction after the lock and `afterWrites` object writes;
 * - `writeCount` is the simulator's count of configuration writes received over REST.
 *
 * The simulator itself lives in `@netloom/conformance/simulators` (`startF5BigipSimulator`), which shipped adapter
 * code must not import (the dependency rule `adapters-ship-without-conformance`): {@link f5BigipTarget} takes a
 * function that starts one, and the shapes here are written structurally (the kit's `SimulatorTarget`,
 * `DeviceHarness`). The package's tests build `conformanceTargets` from it.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import {
  LoadBalancerConfigCodec,
  MemberCodec,
  MonitorCodec,
  PartitionCodec,
  PoolCodec,
  VirtualServerCodec,
  decodeOrThrow,
  diffConfig,
  loadBalancerVocabulary,
  type ConfigObject,
  type DeviceConfig,
  type DeviceTarget,
  type LoadBalancerConfig,
} from '@netloom/ports';
import { parseDevice, renderChanges } from './f5-bigip.mapping';
import type { F5Operation } from './f5-bigip.wire';

/** The part of the simulator's test API the harness uses (structurally `F5BigipSimulator` of the conformance kit). */
export interface F5SimulatorHandle {
  readonly host: string;
  readonly port: number;
  /** The CA (PEM) that signed the simulator's certificate. */
  readonly ca: string | undefined;
  /** Every collection as `GET` returns it, by URI. */
  dump(): Readonly<Record<string, unknown>>;
  /** Applies REST operations out of band, all or nothing. */
  applyOutOfBand(ops: readonly F5Operation[]): Promise<void>;
  /** The next transaction commit fails after `afterCommands` commands. */
  failNextTransaction(options?: { readonly afterCommands?: number }): void;
  /** Configuration writes received over REST. */
  readonly stats: { readonly writes: number };
  close(): Promise<void>;
}

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface F5DeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One simulated BIG-IP for one check (structurally the kit's `SimulatorInstance`). */
export interface F5SimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: F5DeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh simulated BIG-IP per check (structurally the kit's `SimulatorTarget`). */
export interface F5SimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): F5SimulatorInstance | Promise<F5SimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** The description of objects the harness seeds as foreign. */
export const FOREIGN_DESCRIPTION = 'managed by hand (not netloom)';

const KIND_CODECS: Readonly<Record<string, (object: unknown, what: string) => ConfigObject>> = {
  partition: (o, what) => decodeOrThrow(PartitionCodec, o, what),
  monitor: (o, what) => decodeOrThrow(MonitorCodec, o, what),
  pool: (o, what) => decodeOrThrow(PoolCodec, o, what),
  member: (o, what) => decodeOrThrow(MemberCodec, o, what),
  virtualServer: (o, what) => decodeOrThrow(VirtualServerCodec, o, what),
};

/**
 * The harness over a running simulator. `device` names it in messages.
 * @example const harness = f5BigipHarness(sim, 'lb1');
 */
export function f5BigipHarness(sim: F5SimulatorHandle, device = 'simulated BIG-IP'): F5DeviceHarness {
  const view = (): ReturnType<typeof parseDevice> => parseDevice(device, sim.dump());
  return {
    async seedForeign({ kind, object }) {
      const decode = KIND_CODECS[kind];
      if (decode === undefined) throw new Error(`the F5 harness seeds load-balancer kinds (${Object.keys(KIND_CODECS).join(', ')}), not ${kind}`);
      const decoded = decode(object, `foreign ${kind}`);
      const v = view();
      if (kind === 'partition' && (v.foreign['partition']?.[decoded.key] !== undefined || v.owned.partition[decoded.key] !== undefined)) return;
      const change = { op: 'create' as const, kind, key: decoded.key, after: decoded };
      await sim.applyOutOfBand(renderChanges([change], { before: v.owned, after: v.owned, nodes: v.nodes, memberRefs: v.memberRefs, describe: () => FOREIGN_DESCRIPTION }));
    },
    async readConfig() {
      const v = view();
      return { owned: v.owned, foreign: v.foreign };
    },
    async changeOutOfBand({ kind, key, object }) {
      const v = view();
      const edited: Record<string, Record<string, ConfigObject>> = {};
      for (const k of loadBalancerVocabulary.order) edited[k] = { ...(v.owned[k] as Record<string, ConfigObject>) };
      if (object === undefined) delete edited[kind]?.[key];
      else (edited[kind] ??= {})[key] = object;
      const next: LoadBalancerConfig = decodeOrThrow(LoadBalancerConfigCodec, edited, 'the config after the out-of-band change');
      const changes = diffConfig({ desired: next, observed: v.owned, order: loadBalancerVocabulary.order });
      await sim.applyOutOfBand(renderChanges(changes, { before: v.owned, after: next, nodes: v.nodes, memberRefs: v.memberRefs }));
    },
    async injectFault({ afterWrites = 1 }) {
      // The first command of every apply transaction takes netloom's writer lock; the fault comes after the object writes.
      sim.failNextTransaction({ afterCommands: afterWrites + 1 });
    },
    async writeCount() {
      return sim.stats.writes;
    },
  };
}

/** Options of {@link f5BigipTarget}. */
export interface F5BigipTargetOptions {
  /** Starts a fresh simulator (e.g. `startF5BigipSimulator` of `@netloom/conformance/simulators`). */
  start(ctx: { readonly checkId: string }): Promise<F5SimulatorHandle>;
  /** The user the adapter logs in as (a user of the simulator). */
  readonly credentials: { readonly username: string; readonly password: string };
  /** Adapter options for every device. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Capabilities the simulated device lacks. */
  readonly lacks?: readonly string[];
}

/**
 * A simulator target: a fresh simulated BIG-IP per check, reached over HTTPS with certificate verification.
 *
 * @example
 * import { startF5BigipSimulator } from '@netloom/conformance/simulators';
 * const target = f5BigipTarget({ start: () => startF5BigipSimulator({ users: { netloom: { password: 'pw' } } }),
 *                                credentials: { username: 'netloom', password: 'pw' } });
 * runLoadBalancerConformance({ adapter, target });
 */
export function f5BigipTarget(opts: F5BigipTargetOptions): F5SimulatorTarget {
  return {
    kind: 'simulator',
    ...(opts.lacks === undefined ? {} : { lacks: opts.lacks }),
    create: async ({ checkId }) => {
      const sim = await opts.start({ checkId });
      const name = `f5-${checkId.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 63);
      return {
        target: {
          name,
          address: sim.host,
          port: sim.port,
          credentials: { username: opts.credentials.username, password: opts.credentials.password },
          tls: { verify: true, ...(sim.ca === undefined ? {} : { ca: sim.ca }) },
        },
        options: opts.options ?? {},
        harness: f5BigipHarness(sim, name),
        dispose: () => sim.close(),
      };
    },
  };
}

/** The simulator module's parts this harness uses (structurally `@netloom/conformance/simulators`). */
interface F5SimulatorModule {
  makeTestCertificates(opts?: { readonly caName?: string }): Promise<{ readonly ca: string; readonly cert: string; readonly key: string }>;
  startF5BigipSimulator(opts: {
    readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
    readonly users: Readonly<Record<string, { readonly password: string }>>;
  }): Promise<F5SimulatorHandle>;
}

let simulators: Promise<F5SimulatorModule> | undefined;
let certificates: Promise<{ readonly ca: string; readonly cert: string; readonly key: string }> | undefined;

/**
 * The simulator targets `netloom conformance run --adapter @netloom/adapter-f5-bigip --target simulator` uses: a
 * fresh simulated BIG-IP per check, with a test CA and a per-run password. The simulators are imported dynamically,
 * only when a check creates a device, so the driver loads without `@netloom/conformance` (ADR 0006).
 */
export const conformanceTargets: { readonly loadBalancer: F5SimulatorTarget } = (() => {
  const credentials = { username: 'netloom', password: `nl-${randomBytes(12).toString('base64url')}` };
  return {
    loadBalancer: f5BigipTarget({
      credentials,
      start: async () => {
        simulators ??= import('@netloom/conformance/simulators');
        const sims = await simulators;
        certificates ??= sims.makeTestCertificates({ caName: 'netloom conformance CA' });
        return sims.startF5BigipSimulator({ tls: await certificates, users: { [credentials.username]: { password: credentials.password } } });
      },
    }),
  };
})();
