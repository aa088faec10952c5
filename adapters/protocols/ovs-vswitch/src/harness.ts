/**
 * The conformance harnesses of an OVS-compatible vswitch adapter, for the kit (`netloom conformance run --target
 * simulator`) and the adapter's tests:
 *
 * - {@link vswitchSandboxTarget}: for every check a FRESH Open vSwitch — a real `ovsdb-server` and userspace
 *   `ovs-vswitchd` in a temporary directory (`startOvsSandbox` of `@netloom/ovsdb/testing`), stopped in `dispose` —
 *   with the {@link VSwitchSandboxHarness};
 * - {@link vswitchSimulatedTarget}: the OVSDB and OpenFlow simulators of `@netloom/conformance/simulators` with the
 *   simulated harness (`startSimulatedVSwitchDevice`); the adapter hands in how to load the simulators (a dynamic
 *   `import()` in its own `*.conformance.ts`, ADR 0006), so this package never imports `@netloom/conformance`.
 *
 * The sandbox harness: the adapter reaches OVSDB through the fault proxy (TCP on 127.0.0.1), which counts its row
 * writes (`writeCount`) and injects the mid-commit fault (`injectFault`: the transaction that crosses the limit
 * commits, and the adapter's connection is cut before the reply); OpenFlow in `connect` mode; `seedForeign` creates
 * objects the way another tool would (`ovs-vsctl`; a foreign bridge for a port, with `fail_mode=secure` and a flow
 * with cookie `0xf00d`); `readConfig` reads the owned objects as `observe` does, and the foreign ports, QoS rows and
 * flows; `changeOutOfBand` edits OVSDB directly (no session, no lock), as an operator with ovs-vsctl would.
 *
 * Needs root and Open vSwitch (see `skipUnlessOvs`). Only one userspace ovs-vswitchd can run per network namespace,
 * so checks must run one after another (the kit does). The shapes are written out structurally.
 *
 * @packageDocumentation
 */
import type * as t from 'io-ts';
import { OvsdbClient, op, type Operation } from '@netloom/ovsdb';
import { startOvsSandbox, type OvsSandbox } from '@netloom/ovsdb/testing';
import { VSWITCH_KIND_ORDER, decodeOrThrow, diffConfig, isSafeName, type ConfigObject, type DeviceConfig, type DeviceTarget, type VSwitchConfig } from '@netloom/ports';
import { startOvsdbFaultProxy, type OvsdbFaultProxy } from './fault-proxy';
import { isNetloomCookie } from './flows';
import type { VSwitchHooks } from './hooks';
import { kindCodecsOf, ownedConfig, readOperations } from './model';
import type { ResolvedVSwitchOptions } from './options';
import { renderChanges, wrapTransaction } from './render';
import { isOwned, stateFromResults, type DeviceState } from './rows';
import { asVSwitchSimulators, freePort, startSimulatedVSwitchDevice, type SimulatedVSwitchModel } from './simulated-device';

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface VSwitchDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One device for one check (structurally the kit's `SimulatorInstance`). */
export interface VSwitchSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: VSwitchDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh device per check (structurally the kit's `SimulatorTarget`). */
export interface VSwitchSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): VSwitchSimulatorInstance | Promise<VSwitchSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** The cookie of the flow `seedForeign` puts on a foreign bridge. */
export const FOREIGN_COOKIE = 0xf00d;
/** The bridges the targets let netloom adopt (the kit's samples put their foreign port on `br-int`). */
export const ADOPTABLE_BRIDGES: readonly string[] = ['br-int'];

/**
 * The adapter's model as the harnesses use it, bound to its hooks.
 *
 * @example const device = await startSimulatedVSwitchDevice({ simulators, model: vswitchHarnessModel(HOOKS) });
 */
export function vswitchHarnessModel(hooks: VSwitchHooks): SimulatedVSwitchModel<DeviceState, ResolvedVSwitchOptions> {
  return {
    readOperations: () => readOperations(hooks),
    stateFromResults,
    ownedConfig: (state) => ownedConfig(hooks, state),
    isOwned,
    resolveOptions: (target, options) => hooks.resolveOptions(target, options),
    renderChanges: (input) => renderChanges(hooks, input),
    wrapTransaction,
    kindCodecs: kindCodecsOf(hooks),
  };
}

function checkName(what: string, name: unknown): string {
  if (typeof name !== 'string' || !isSafeName(name) || name.length > 15) throw new Error(`harness: ${what} ${JSON.stringify(name)} is not a usable OVS name`);
  return name;
}

/** The harness of one real Open vSwitch sandbox (exported for tests that drive a sandbox themselves). */
export class VSwitchSandboxHarness implements VSwitchDeviceHarness {
  private readonly model: SimulatedVSwitchModel<DeviceState, ResolvedVSwitchOptions>;
  private readonly kindCodecs: Readonly<Record<string, t.Mixed>>;

  constructor(
    hooks: VSwitchHooks,
    private readonly sandbox: OvsSandbox,
    private readonly client: OvsdbClient,
    private readonly proxy: OvsdbFaultProxy,
    private readonly adapterOptions: Record<string, unknown>,
  ) {
    this.model = vswitchHarnessModel(hooks);
    this.kindCodecs = this.model.kindCodecs;
  }

  /** ovs-ofctl, retried briefly: a new bridge's management socket can appear a moment after ovs-vsctl returns. */
  private async ofctl(...args: string[]): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sandbox.ofctl(...args);
      } catch (e) {
        if (attempt >= 40) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  private async read(): Promise<DeviceState> {
    const results = await this.client.transact('Open_vSwitch', this.model.readOperations());
    return stateFromResults(results as unknown as { rows: readonly unknown[] }[], this.sandbox.unixRemote);
  }

  /** Creates a bridge, port (on a foreign bridge, with a foreign flow) or QoS row without netloom's marks, as another tool would. */
  async seedForeign({ kind, object }: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void> {
    const ext = Object.entries(object)
      .filter(([k, v]) => !['key', 'name', 'bridge'].includes(k) && (typeof v === 'string' || typeof v === 'number'))
      .map(([k, v]) => `external_ids:${k.replace(/[^A-Za-z0-9_-]/g, '_')}=${String(v)}`);
    switch (kind) {
      case 'bridge': {
        const name = checkName('bridge', object['name'] ?? object.key);
        await this.sandbox.vsctl('--may-exist', 'add-br', name, '--', 'set', 'bridge', name, 'datapath_type=netdev', 'fail_mode=secure', ...ext);
        await this.ofctl('add-flow', name, `cookie=${FOREIGN_COOKIE},table=0,priority=7,dl_type=0x88cc,actions=drop`);
        return;
      }
      case 'endpointPort':
      case 'uplink':
      case 'tunnel': {
        const name = checkName('port', object['name'] ?? object.key);
        const bridge = checkName('bridge', object['bridge'] ?? 'br-int');
        await this.seedForeign({ kind: 'bridge', object: { key: bridge, name: bridge } });
        await this.sandbox.vsctl('add-port', bridge, name, '--', 'set', 'interface', name, ...ext);
        return;
      }
      case 'qos': {
        const name = checkName('qos', object['name'] ?? object.key);
        await this.sandbox.vsctl('create', 'qos', 'type=linux-htb', `external_ids:name=${name}`);
        return;
      }
      default:
        throw new Error(`harness: cannot seed a foreign ${kind}`);
    }
  }

  /** The owned objects (as observe reads them) and the foreign ports, QoS rows and flows. */
  async readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }> {
    const state = await this.read();
    const ports: Record<string, unknown> = {};
    for (const p of state.ports) {
      if (isOwned(p.external_ids)) continue;
      ports[p.name] = {
        bridge: state.bridgeOfPort.get(p._uuid)?.name ?? null,
        tag: p.tag,
        trunks: [...p.trunks],
        externalIds: Object.fromEntries(p.external_ids),
        interfaces: state.interfacesOf(p).map((i) => ({ name: i.name, type: i.type, externalIds: Object.fromEntries(i.external_ids) })),
      };
    }
    const qos: Record<string, unknown> = {};
    for (const q of state.qos) if (!isOwned(q.external_ids)) qos[q._uuid] = { type: q.type, otherConfig: Object.fromEntries(q.other_config), externalIds: Object.fromEntries(q.external_ids) };
    const flows: Record<string, unknown> = {};
    for (const b of state.bridges) {
      const text = await this.ofctl('dump-flows', b.name, '--no-stats');
      for (const line of text.split('\n').map((l) => l.trim())) {
        const m = /^cookie=(0x[0-9a-f]+)/.exec(line);
        if (m === null || isNetloomCookie(BigInt(m[1]!))) continue;
        flows[`${b.name} ${line}`] = { bridge: b.name, flow: line };
      }
    }
    return { owned: this.model.ownedConfig(state), foreign: { port: ports, qos, flow: flows } };
  }

  /** Changes or deletes an owned object directly in OVSDB (no session, no lock, no flows). */
  async changeOutOfBand({ kind, key, object }: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void> {
    const state = await this.read();
    const owned = this.model.ownedConfig(state);
    const next = structuredClone(owned) as unknown as Record<string, Record<string, unknown>>;
    if (next[kind] === undefined) throw new Error(`harness: unknown kind ${kind}`);
    if (object === undefined) delete next[kind]![key];
    else next[kind]![key] = decodeOrThrow(this.codecOf(kind), object, `out-of-band ${kind}`);
    const desired = next as unknown as VSwitchConfig;
    const changes = diffConfig({ desired, observed: owned, order: VSWITCH_KIND_ORDER });
    const options = this.model.resolveOptions({ name: 'harness' }, this.adapterOptions);
    const r = this.model.renderChanges({ desired, observed: owned, changes, state, options, flows: new Map() });
    // Straight to the database, no lock, no flows: what an operator with ovs-vsctl does.
    let cfg = state.ovs.next_cfg;
    for (const ops of [r.pre, r.main, r.post]) {
      if (ops.length === 0) continue;
      const wrapped: Operation[] = wrapTransaction(ops, undefined);
      const results = await this.client.transact('Open_vSwitch', wrapped);
      const next = (results[results.length - 1] as { rows?: readonly Record<string, unknown>[] }).rows?.[0]?.['next_cfg'];
      if (typeof next === 'number') cfg = next;
    }
    await this.client.transact('Open_vSwitch', [op.wait('Open_vSwitch', [['cur_cfg', '>=', cfg]], [], '!=', [], 10_000)]);
  }

  private codecOf(kind: string): t.Mixed {
    const codec = this.kindCodecs[kind];
    if (codec === undefined) throw new Error(`harness: no codec for kind ${kind}`);
    return codec;
  }

  /** Arms the proxy: the transaction that crosses `afterWrites` row writes commits and its connection is cut. */
  async injectFault({ afterWrites = 1 }: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void> {
    this.proxy.armFault(afterWrites);
  }

  /** Row writes of the adapter's OVSDB transactions so far (flows are not counted). */
  async writeCount(): Promise<number> {
    return this.proxy.writes;
  }
}


/** A sandboxed Open vSwitch with the adapter options that reach it through the fault proxy. */
export interface VSwitchSandboxDevice {
  readonly sandbox: OvsSandbox;
  readonly proxy: OvsdbFaultProxy;
  readonly client: OvsdbClient;
  readonly options: Record<string, unknown>;
  readonly harness: VSwitchSandboxHarness;
  /** Closes the harness client and the proxy and stops the sandbox (deleting its bridges). */
  dispose(): Promise<void>;
}

/**
 * Starts a sandbox (`ovsdb-server` + userspace `ovs-vswitchd`), the fault proxy in front of it and the harness of
 * the adapter with these hooks. Cleans up after itself when a step fails.
 *
 * @example
 * const device = await startVSwitchSandboxDevice(HOOKS);
 * const session = await new MyDriver({ target: { name: 'node-t' }, options: device.options, logger }).connect();
 * await device.dispose();
 */
export async function startVSwitchSandboxDevice(hooks: VSwitchHooks): Promise<VSwitchSandboxDevice> {
  const sandbox = await startOvsSandbox({ vswitchd: true });
  let proxy: OvsdbFaultProxy | undefined;
  let client: OvsdbClient | undefined;
  try {
    proxy = await startOvsdbFaultProxy({ host: '127.0.0.1', port: sandbox.tcpPort });
    client = await OvsdbClient.connect({ remote: sandbox.unixRemote, reconnect: false });
    const options = {
      ovsdb: `tcp:127.0.0.1:${proxy.port}`,
      openflow: { connect: { host: '127.0.0.1', port: await freePort() } },
      datapathType: 'netdev',
      adoptBridges: [...ADOPTABLE_BRIDGES],
      requestTimeoutMs: 10_000,
    };
    const harness = new VSwitchSandboxHarness(hooks, sandbox, client, proxy, options);
    const p = proxy;
    const c = client;
    return {
      sandbox,
      proxy,
      client,
      options,
      harness,
      async dispose() {
        await c.close().catch(() => undefined);
        await p.close().catch(() => undefined);
        await sandbox.stop();
      },
    };
  } catch (e) {
    await client?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await sandbox.stop().catch(() => undefined);
    throw e;
  }
}

const targetName = (prefix: string, checkId: string): string => `${prefix}-${checkId.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 63);

/**
 * A fresh sandboxed Open vSwitch per check, for the adapter with these hooks; devices are named
 * `<namePrefix>-<check id>`.
 *
 * @example export const conformanceTargets = { vswitch: vswitchSandboxTarget(HOOKS, 'ovs'), ... };
 */
export function vswitchSandboxTarget(hooks: VSwitchHooks, namePrefix: string): VSwitchSimulatorTarget {
  return {
    kind: 'simulator',
    create: async ({ checkId }) => {
      const device = await startVSwitchSandboxDevice(hooks);
      return { target: { name: targetName(namePrefix, checkId) }, options: device.options, harness: device.harness, dispose: () => device.dispose() };
    },
  };
}

/**
 * The simulator target without Open vSwitch: for every check a fresh in-process `OvsdbSimulator` (Open_vSwitch
 * schema, its ovs-vswitchd stand-in on) and `OpenFlowSwitchSimulator`, the OVSDB fault proxy and the shared
 * simulated harness (the same levers as the sandbox harness). No root needed. Devices are named
 * `<namePrefix>-<check id>`.
 *
 * @param load loads `@netloom/conformance/simulators` (the adapter's dynamic `import()`, ADR 0006), on first use.
 * @example vswitchSimulatedTarget(HOOKS, 'ovs-sim', () => import('@netloom/conformance/simulators'))
 */
export function vswitchSimulatedTarget(hooks: VSwitchHooks, namePrefix: string, load: () => Promise<unknown>): VSwitchSimulatorTarget {
  const model = vswitchHarnessModel(hooks);
  return {
    kind: 'simulator',
    create: async ({ checkId }) => {
      const device = await startSimulatedVSwitchDevice({ simulators: asVSwitchSimulators(await load()), model, adoptBridges: ADOPTABLE_BRIDGES });
      return { target: { name: targetName(namePrefix, checkId) }, options: device.options, harness: device.harness, dispose: () => device.dispose() };
    },
  };
}
