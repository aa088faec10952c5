/**
 * Simulator targets for the conformance kit (`netloom conformance run --adapter @netloom/adapter-arista-eos
 * --target simulator`, and this package's tests): a fresh simulated EOS switch per check — the eAPI simulator of
 * `@netloom/conformance/simulators`, over HTTPS with a test CA and a per-run password — and the device harness the
 * kit needs, built on the simulator's test API (`runningConfig`, `applyOutOfBand`, `failNextCommit`, `stats`).
 *
 * The kit's shapes (`SimulatorTarget`, `DeviceHarness`) are written out structurally, as the fake adapter does:
 * the adapter's driver never depends on `@netloom/conformance`. The simulator module is imported dynamically, only
 * when a target creates a device, from `@netloom/conformance/simulators` (present wherever the kit runs: it is this
 * package's dev dependency and the runtime's dependency), or handed in with `aristaEosTarget({ simulators })`.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { renderChanges, type RenderSettings } from './arista-eos.commands';
import { DEFAULT_SEGMENT_VLANS } from './arista-eos.options';
import { foreignView, observeFabric } from './arista-eos.parsers';
import { readEosState } from './arista-eos.running-config';
import type { Change, ConfigObject, DeviceConfig, DeviceTarget } from '@netloom/ports';

/** What the target needs from a running simulator (structurally `EosSimulator` of `@netloom/conformance/simulators`). */
export interface EosSimulatorLike {
  readonly port: number;
  readonly stats: { readonly requests: number; readonly commands: number; readonly configCommands: number; readonly commits: number };
  runningConfig(): string;
  applyOutOfBand(lines: readonly string[]): void;
  failNextCommit(reason?: string): void;
  close(): Promise<void>;
}

/** What the target needs from the simulator module (structurally `@netloom/conformance/simulators`). */
export interface EosSimulatorModuleLike {
  startEosSimulator(options: {
    readonly tls: { readonly cert: string; readonly key: string };
    readonly users?: Readonly<Record<string, { readonly password: string; readonly role: 'network-admin' | 'network-operator' }>>;
    readonly hostname?: string;
    readonly timerScale?: number;
  }): Promise<EosSimulatorLike>;
  makeTestCertificates(): Promise<{ readonly ca: string; readonly cert: string; readonly key: string }>;
}

/** The levers the kit needs (structurally the kit's `DeviceHarness`). */
export interface AristaEosDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One simulated switch for one check (structurally the kit's `SimulatorInstance`). */
export interface AristaEosSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: AristaEosDeviceHarness;
  /** The simulator itself, for tests that look closer. */
  readonly simulator: EosSimulatorLike;
  dispose(): Promise<void>;
}

/** A fresh simulated switch per check (structurally the kit's `SimulatorTarget`). */
export interface AristaEosSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): Promise<AristaEosSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** Options of {@link aristaEosTarget}. */
export interface AristaEosTargetOptions {
  /** The simulator module (default: loaded from `@netloom/conformance/simulators` on first use). */
  readonly simulators?: EosSimulatorModuleLike;
  /** Adapter options handed to the driver (default `{}`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Milliseconds per simulated second of a commit timer (default 1000). */
  readonly timerScale?: number;
}

/**
 * Loads the simulator module once. A dynamic import on purpose: the module is needed only where the kit runs (this
 * package's tests, `netloom conformance run`), never by the driver, so a production install without
 * `@netloom/conformance` loads this package fine. The layering rules allow exactly this: `*.conformance.ts` files
 * of an adapter may import `@netloom/conformance` (docs/adr/0006).
 */
export function loadSimulators(): Promise<EosSimulatorModuleLike> {
  loaded ??= import('@netloom/conformance/simulators');
  return loaded;
}

let loaded: Promise<EosSimulatorModuleLike> | undefined;

const certificates = new WeakMap<EosSimulatorModuleLike, Promise<{ readonly ca: string; readonly cert: string; readonly key: string }>>();

const SEED_TEXT = /^[\x21-\x7e][\x20-\x7e]{0,239}$/;

function text(object: Readonly<Record<string, unknown>>, field: string, fallback?: string): string {
  const v = object[field] ?? fallback;
  if (typeof v !== 'string' || !SEED_TEXT.test(v)) throw new Error(`harness: ${field} ${JSON.stringify(v)} is not a printable single-line text`);
  return v;
}

function int(object: Readonly<Record<string, unknown>>, field: string): number {
  const v = object[field];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`harness: ${field} ${JSON.stringify(v)} is not a positive integer`);
  return v;
}

/**
 * The device harness over a running simulator: the owned view is the adapter's reading of the running-config, the
 * foreign view is raw lines; out-of-band changes are typed at the simulated console as an operator would.
 */
export function aristaEosHarness(sim: EosSimulatorLike, settings: RenderSettings = { segmentVlans: DEFAULT_SEGMENT_VLANS }): AristaEosDeviceHarness {
  const state = (): ReturnType<typeof readEosState> => readEosState(sim.runningConfig());
  return {
    async seedForeign({ kind, object }) {
      const s = state();
      if (kind === 'segment') {
        let vlan = 100;
        while (s.vlans.has(vlan) || s.vxlanVlans.has(vlan)) vlan++;
        const lines = [`vlan ${vlan}`, `name ${text(object, 'name', 'foreign')}`];
        if (object['description'] !== undefined) lines.push(`interface Vlan${vlan}`, `description ${text(object, 'description')}`);
        lines.push('interface Vxlan1', `vxlan vlan ${vlan} vni ${int(object, 'l2Vni')}`);
        sim.applyOutOfBand(lines);
      } else if (kind === 'vrf') {
        const name = text(object, 'name');
        const lines = [`vrf instance ${name}`];
        if (object['description'] !== undefined) lines.push(`description ${text(object, 'description')}`);
        lines.push(`ip routing vrf ${name}`);
        if (object['l3Vni'] !== undefined) lines.push('interface Vxlan1', `vxlan vrf ${name} vni ${int(object, 'l3Vni')}`);
        sim.applyOutOfBand(lines);
      } else if (kind === 'binding') {
        const vlan = int(object, 'vlan');
        sim.applyOutOfBand([`vlan ${vlan}`, `interface ${text(object, 'interface')}`, 'switchport mode trunk', `switchport trunk allowed vlan add ${vlan}`]);
      } else throw new Error(`harness: cannot seed a foreign ${kind} on EOS`);
    },
    async readConfig() {
      const s = state();
      return { owned: observeFabric(s).config, foreign: foreignView(s) };
    },
    async changeOutOfBand({ kind, key, object }) {
      const s = state();
      const current = observeFabric(s).config as unknown as Record<string, Record<string, ConfigObject>>;
      const before = current[kind]?.[key];
      let change: Change;
      if (object === undefined) {
        if (before === undefined) return;
        change = { op: 'delete', kind, key, before };
      } else change = before === undefined ? { op: 'create', kind, key, after: object } : { op: 'update', kind, key, before, after: object };
      sim.applyOutOfBand(renderChanges([change], s, settings, 'out-of-band change').lines);
    },
    async injectFault() {
      // An EOS session commits as a whole: the fault is a refused commit, and running-config stays as it was.
      sim.failNextCommit('Failed to commit configuration session (injected fault: midCommit)');
    },
    writeCount: async () => sim.stats.configCommands + sim.stats.commits,
  };
}

/**
 * A simulator target: every check gets its own simulated switch (HTTPS with a test CA, user `netloom` with a
 * random password), torn down by `dispose`.
 *
 * @example
 * runFabricConformance({ adapter, target: aristaEosTarget() });
 */
export function aristaEosTarget(opts: AristaEosTargetOptions = {}): AristaEosSimulatorTarget {
  const password = randomBytes(12).toString('base64url');
  return {
    kind: 'simulator',
    async create({ checkId }) {
      const mod = opts.simulators ?? (await loadSimulators());
      let certs = certificates.get(mod);
      if (certs === undefined) {
        certs = mod.makeTestCertificates();
        certificates.set(mod, certs);
      }
      const tls = await certs;
      const sim = await mod.startEosSimulator({
        tls,
        users: { netloom: { password, role: 'network-admin' } },
        ...(opts.timerScale === undefined ? {} : { timerScale: opts.timerScale }),
      });
      const name = `eos-${checkId.replace(/[^A-Za-z0-9._-]/g, '-')}`.slice(0, 63);
      return {
        target: { name, address: '127.0.0.1', port: sim.port, credentials: { username: 'netloom', password }, tls: { verify: true, ca: tls.ca } },
        options: opts.options ?? {},
        harness: aristaEosHarness(sim),
        simulator: sim,
        dispose: () => sim.close(),
      };
    },
  };
}

/** The simulator targets this adapter ships (what `netloom conformance run --target simulator` uses). */
export const conformanceTargets: { readonly fabric: AristaEosSimulatorTarget } = {
  fabric: aristaEosTarget(),
};
