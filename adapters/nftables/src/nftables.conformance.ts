/**
 * The simulator target for the conformance kit (`netloom conformance run --adapter @netloom/adapter-nftables
 * --target simulator`, and this package's tests): for every check a FRESH network namespace with real nftables
 * (`ip netns add nlc-<pid>-<n>`, deleted in `dispose`), and the device harness the kit needs. The namespace has no
 * uplink trunk, so this target lacks `legs` (the adapter refuses them with NotSupportedError);
 * {@link nftablesOvsTarget} adds a fresh Open vSwitch bridge per check and offers them. The harness:
 *
 * - `seedForeign` writes the object into another table (`inet foreign`), as another tool would;
 * - `readConfig` reads the owned table and the legs (as observe does) and the foreign table;
 * - `changeOutOfBand` edits the owned table directly with nft, and the legs with `ip`/`ovs-vsctl` (not through a
 *   session, not under the lock);
 * - `injectFault({ type: 'midCommit', afterWrites })` makes the next `nft -f` script of the adapter fail after that
 *   many lines: a line that the kernel rejects is inserted, so the kernel aborts the whole transaction (the real
 *   atomic behaviour);
 * - `writeCount` counts the lines of the scripts and the leg commands the adapter ran successfully.
 *
 * Needs root (network namespaces, nftables) and `ip` and `nft` on PATH. The shapes are written out structurally:
 * shipped adapter code never imports `@netloom/conformance`.
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { unlink } from 'node:fs/promises';
import { promisify } from 'node:util';
import {
  AddressSetCodec,
  ZoneCodec,
  decodeOrThrow,
  diffConfig,
  firewallVocabulary,
  type ConfigObject,
  type DeviceConfig,
  type DeviceTarget,
  type FirewallConfig,
} from '@netloom/ports';
import { deviceIdentity, legContextOf, normalizeConfig, readFirewall, readOwnedConfig } from './nftables.driver';
import { legsOfConfig, renderLegSteps, type LegContext, type LegStep } from './nftables.legs';
import { lockFileFor } from './nftables.lock';
import { DEFAULT_FAMILY, DEFAULT_TABLE, NftablesOptionsCodec } from './nftables.options';
import { renderChangeLines, renderChanges } from './nftables.render';
import { LocalNftRunner, type ExecOptions, type NftResult, type NftRunner } from './nftables.runner';
import { NftStatements } from './nftables.syntax';
import { nftRunnerTaps } from './nftables.taps';

const exec = promisify(execFile);

/** The table the harness puts foreign objects in. */
export const FOREIGN_TABLE = 'foreign';

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface NftDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One namespace for one check (structurally the kit's `SimulatorInstance`). */
export interface NftSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: NftDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh namespace per check (structurally the kit's `SimulatorTarget`). */
export interface NftSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): NftSimulatorInstance | Promise<NftSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** The line the fault injection inserts: the kernel refuses it (no such chain), so it aborts the whole batch. */
export const faultLine = (statements: NftStatements): string => statements.flushChain('netloom_injected_fault');

/** A runner wrapper that counts written lines and can fail the next script mid-way. */
class TappedRunner implements NftRunner {
  readonly where: string;
  constructor(
    private readonly inner: NftRunner,
    private readonly state: { writes: number; faultAfter: number | undefined; statements: NftStatements },
  ) {
    this.where = inner.where;
  }

  async run(args: readonly string[], stdin?: string): Promise<NftResult> {
    if (!args.includes('-f') || stdin === undefined) return this.inner.run(args, stdin);
    let script = stdin;
    const lines = stdin.split('\n').filter((l) => l.trim() !== '');
    if (this.state.faultAfter !== undefined) {
      const n = Math.min(this.state.faultAfter, lines.length);
      this.state.faultAfter = undefined;
      script = `${[...lines.slice(0, n), faultLine(this.state.statements), ...lines.slice(n)].join('\n')}\n`;
    }
    const r = await this.inner.run(args, script);
    if (r.code === 0) this.state.writes += lines.length;
    return r;
  }

  async exec(argv: readonly string[], options?: ExecOptions): Promise<NftResult> {
    const r = await this.inner.exec(argv, options);
    if (r.code === 0 && options?.write === true) this.state.writes += 1;
    return r;
  }

  system(): ReturnType<NftRunner['system']> {
    return this.inner.system();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

async function ip(args: readonly string[]): Promise<void> {
  try {
    await exec('ip', [...args]);
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(err.stderr ?? err.message ?? String(e)).trim()} (the nftables conformance target needs root and iproute2)`);
  }
}

/** Options of {@link nftablesHarness}. */
export interface NftHarnessOptions {
  /** The device's inventory name (the tap is registered under it). */
  readonly device: string;
  readonly netns: string;
  readonly table?: string;
  /** Where the device's legs are made (default: in `netns`, as 802.1Q sub-interfaces). */
  readonly legs?: LegContext;
}

/**
 * The harness for the namespace `netns` and registers its tap for `device`. Call `release()` when done.
 */
export function nftablesHarness(opts: NftHarnessOptions): NftDeviceHarness & { release(): void } {
  const family = DEFAULT_FAMILY;
  const table = opts.table ?? DEFAULT_TABLE;
  const owned = new NftStatements(family, table);
  const foreignTable = new NftStatements(family, FOREIGN_TABLE);
  const direct = new LocalNftRunner({ netns: opts.netns });
  const state = { writes: 0, faultAfter: undefined as number | undefined, statements: owned };
  nftRunnerTaps.set(opts.device, (runner) => new TappedRunner(runner, state));

  const runScript = async (lines: readonly string[], what: string): Promise<void> => {
    if (lines.length === 0) return;
    const r = await direct.run(['-f', '-'], `${lines.join('\n')}\n`);
    if (r.code !== 0) throw new Error(`${what} failed: ${r.stderr.trim()}`);
  };
  const legs: LegContext = opts.legs ?? { netns: opts.netns };
  const readView = (): ReturnType<typeof readFirewall> => readFirewall({ runner: direct, device: opts.device, family, table, legs });
  const readOwned = async (): Promise<FirewallConfig> => (await readView()).config;
  const runSteps = async (steps: readonly LegStep[]): Promise<void> => {
    for (const step of steps) {
      const r = await direct.exec(step.argv);
      if (r.code !== 0) throw new Error(`the out-of-band change: ${step.argv.join(' ')} failed: ${r.stderr.trim()}`);
    }
  };
  const readForeign = (): Promise<FirewallConfig> => readOwnedConfig({ runner: direct, device: `${opts.device} (foreign table)`, family, table: FOREIGN_TABLE, checkForward: false });

  return {
    async seedForeign({ kind, object }) {
      let decoded: ConfigObject;
      if (kind === 'zone') decoded = decodeOrThrow(ZoneCodec, object, 'foreign zone');
      else if (kind === 'addressSet') decoded = decodeOrThrow(AddressSetCodec, object, 'foreign addressSet');
      else throw new Error(`the nftables harness seeds foreign zones and address sets, not ${kind}`);
      await runScript([foreignTable.addTable(), ...renderChangeLines(foreignTable, { op: 'create', kind, key: decoded.key, after: decoded })], 'seeding a foreign object');
    },
    async readConfig() {
      const foreign = await readForeign();
      return { owned: await readOwned(), foreign: Object.fromEntries(Object.entries(foreign).filter(([, objects]) => Object.keys(objects).length > 0)) };
    },
    async changeOutOfBand({ kind, key, object }) {
      const view = await readView();
      const current = view.config;
      const edited: Record<string, Record<string, ConfigObject>> = {};
      for (const k of firewallVocabulary.order) edited[k] = { ...(current[k] as Record<string, ConfigObject>) };
      if (object === undefined) delete edited[kind]?.[key];
      else (edited[kind] ??= {})[key] = object;
      const next = normalizeConfig(decodeOrThrow(firewallVocabulary.configCodec, edited, 'config after the out-of-band change'));
      const changes = diffConfig({ desired: next, observed: current, order: firewallVocabulary.order });
      const steps = renderLegSteps(view.legs, legsOfConfig(next), legs);
      await runSteps(steps.pre);
      await runScript(renderChanges({ statements: owned, changes, next }), 'the out-of-band change');
      await runSteps(steps.post);
    },
    async injectFault({ afterWrites = 1 }) {
      state.faultAfter = afterWrites;
    },
    async writeCount() {
      return state.writes;
    },
    release() {
      nftRunnerTaps.delete(opts.device);
    },
  };
}

let sequence = 0;

/** Options of {@link nftablesTarget}. */
export interface NftTargetOptions {
  /** What the target's devices lack although the adapter declares it (default `['legs']`: the namespace has no uplink). */
  readonly lacks?: readonly string[];
}

/**
 * A simulator target on a fresh network namespace per check. Its namespaces have no uplink trunk, so it lacks legs
 * (see {@link nftablesOvsTarget}).
 * @example runFirewallConformance({ adapter, target: nftablesTarget() })
 */
export function nftablesTarget(opts: NftTargetOptions = {}): NftSimulatorTarget {
  return {
    kind: 'simulator',
    lacks: opts.lacks ?? ['legs'],
    create: async ({ checkId }) => {
      // The generated docs (`npm run docs:adapters`, which only plans) show the namespace: stable there.
      const netns = checkId === 'adapter-docs' ? 'nlc-docs' : `nlc-${process.pid}-${++sequence}`;
      await ip(['netns', 'add', netns]);
      const options = decodeOrThrow(NftablesOptionsCodec, { mode: 'local', netns }, 'conformance target options');
      const harness = nftablesHarness({ device: netns, netns });
      return {
        target: { name: netns },
        options,
        harness,
        dispose: async () => {
          harness.release();
          await unlink(lockFileFor(deviceIdentity({ name: netns }, options))).catch(() => undefined);
          await ip(['netns', 'del', netns]);
        },
      };
    },
  };
}

/** Options of {@link nftablesOvsTarget}. */
export interface NftOvsTargetOptions {
  /** The ovsdb-server of a running ovs-vswitchd (`unix:<path>`), e.g. `startOvsSandbox({ vswitchd: true }).unixRemote`. */
  readonly db: string;
}

async function vsctl(db: string, args: readonly string[]): Promise<void> {
  try {
    await exec('ovs-vsctl', [`--db=${db}`, '--timeout=20', ...args]);
  } catch (e) {
    const err = e as { stderr?: string; message?: string };
    throw new Error(`ovs-vsctl ${args.join(' ')} failed: ${(err.stderr ?? err.message ?? String(e)).trim()} (the nftables OVS target needs a running ovs-vswitchd)`);
  }
}

/**
 * A simulator target that offers legs: per check a fresh network namespace and a fresh OVS bridge (userspace
 * datapath) on the given ovsdb-server; the adapter makes legs as access ports of that bridge (`options.ovs`). The
 * legs' uplink is recorded, not looked up (the bridge's trunk towards a leaf is outside the firewall).
 * @example
 * const ovs = await startOvsSandbox({ vswitchd: true });
 * runFirewallConformance({ adapter, target: nftablesOvsTarget({ db: ovs.unixRemote }) });
 */
export function nftablesOvsTarget(opts: NftOvsTargetOptions): NftSimulatorTarget {
  return {
    kind: 'simulator',
    create: async () => {
      const n = ++sequence;
      const netns = `nlc-${process.pid}-${n}`;
      const bridge = `nlfb${process.pid.toString(36)}${n.toString(36)}`;
      await ip(['netns', 'add', netns]);
      try {
        await vsctl(opts.db, ['add-br', bridge, '--', 'set', 'bridge', bridge, 'datapath_type=netdev']);
      } catch (e) {
        await ip(['netns', 'del', netns]).catch(() => undefined);
        throw e;
      }
      const options = decodeOrThrow(NftablesOptionsCodec, { mode: 'local', netns, ovs: { bridge, db: opts.db } }, 'conformance target options');
      const harness = nftablesHarness({ device: netns, netns, legs: legContextOf(options) });
      return {
        target: { name: netns },
        options,
        harness,
        dispose: async () => {
          harness.release();
          await unlink(lockFileFor(deviceIdentity({ name: netns }, options))).catch(() => undefined);
          // Deleting the namespace deletes the legs' veth pairs; the bridge takes its ports' rows with it.
          await ip(['netns', 'del', netns]);
          await vsctl(opts.db, ['--if-exists', 'del-br', bridge]);
        },
      };
    },
  };
}

/**
 * The simulator targets this adapter ships, per device port: what `netloom conformance run --target simulator`
 * runs the kit against.
 */
export const conformanceTargets: { readonly firewall: NftSimulatorTarget } = {
  firewall: nftablesTarget(),
};
