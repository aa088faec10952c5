/**
 * Conformance targets on the Ruijie RGOS simulator: a fresh simulated leaf per check, the device harness the kit
 * needs (written over the simulator's test API), and sample configs that fit an RGOS leaf.
 *
 * The simulator lives in `@netloom/conformance/simulators`, which shipped adapter code must not import statically
 * (ADR 0006). So the shapes here are structural, and {@link conformanceTargets} loads the simulator with a dynamic
 * `import()` when a check creates a device; a test may also hand the class in:
 *
 * ```ts
 * import { RuijieRgosSimulator } from '@netloom/conformance/simulators';
 * const targets = createConformanceTargets((s) => new RuijieRgosSimulator(s));
 * runFabricConformance({ adapter, target: targets.fabric, samples: rgosSamples });
 * ```
 *
 * The harness: `seedForeign` types the object's lines without a netloom description (as another administrator
 * would, `applyOutOfBand`); `readConfig` parses `runningConfig()` as `observe` does; `changeOutOfBand` renders the
 * change with this adapter's renderer and types it out of band; `injectFault({ type: 'midCommit', afterWrites })`
 * counts the adapter's configuration lines that change running (`config-change` events, the lock marker's excluded)
 * and then refuses the next one (`failNextCommand`); `writeCount` is the simulator's `configChanges`.
 *
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import {
  AccessBindingCodec,
  L2SegmentCodec,
  VrfCodec,
  decodeOrThrow,
  type ConfigObject,
  type DeviceConfig,
  type DeviceTarget,
  type FabricConfig,
} from '@netloom/ports';
import type * as t from 'io-ts';
import { CONFIG, LIMITS, LOCK, SESSION, line } from './ruijie-rgos.commands';
import { resolveOptions, type RenderSettings } from './ruijie-rgos.options';
import { devicePortOf, parseRunningConfig, readDevice } from './ruijie-rgos.parse';
import { renderConfig } from './ruijie-rgos.render';

/** What the target asks of a simulator when it creates one (structurally `RuijieRgosSimulatorOptions`). */
export interface RuijieRgosSimulatorSettings {
  readonly hostname: string;
  readonly users: readonly { readonly username: string; readonly password: string }[];
  /** Physical ports as the device names them (`TenGigabitEthernet 0/1`). */
  readonly ports: readonly string[];
  readonly initialConfig: readonly string[];
}

/** The part of `RuijieRgosSimulator` (from `@netloom/conformance/simulators`) the target and harness use. */
export interface RuijieRgosSimulatorLike {
  start(): Promise<{ readonly host: string; readonly port: number; readonly hostKeyFingerprint: string }>;
  stop(): Promise<void>;
  runningConfig(): string;
  applyOutOfBand(lines: readonly string[] | string, opts?: { readonly user?: string }): Promise<number>;
  failNextCommand(pattern: RegExp | string, reason?: string): { clear(): void };
  on(type: 'config-change', listener: (event: { readonly sessionId: number; readonly command: string }) => void): () => void;
  readonly stats: { readonly configChanges: number };
}

/** Creates a simulator (`(s) => new RuijieRgosSimulator(s)`). */
export type RuijieRgosSimulatorFactory = (settings: RuijieRgosSimulatorSettings) => RuijieRgosSimulatorLike;

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export interface RuijieRgosDeviceHarness {
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  readConfig(): Promise<{ readonly owned: DeviceConfig; readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>> }>;
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  writeCount(): Promise<number>;
}

/** One simulated leaf for one check (structurally the kit's `SimulatorInstance`). */
export interface RuijieRgosSimulatorInstance {
  readonly target: DeviceTarget;
  readonly options?: unknown;
  readonly harness?: RuijieRgosDeviceHarness;
  dispose?(): void | Promise<void>;
}

/** A fresh simulated leaf per check (structurally the kit's `SimulatorTarget`). */
export interface RuijieRgosSimulatorTarget {
  readonly kind: 'simulator';
  create(ctx: { readonly checkId: string }): Promise<RuijieRgosSimulatorInstance>;
  readonly lacks?: readonly string[];
}

/** Options of {@link ruijieRgosTarget}. */
export interface RuijieRgosTargetOptions {
  /** Adapter options of every device (default `{}`). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The simulated leaf's ports, as netloom names them (default `TenGigabitEthernet0/1`..`0/4`). */
  readonly ports?: readonly string[];
}

/** The node-facing ports of a simulated leaf, as netloom names them. */
export const DEFAULT_PORTS: readonly string[] = ['TenGigabitEthernet0/1', 'TenGigabitEthernet0/2', 'TenGigabitEthernet0/3', 'TenGigabitEthernet0/4'];

/** `TenGigabitEthernet0/1` → `TenGigabitEthernet 0/1`. */
function devicePort(port: string): string {
  const p = devicePortOf(port);
  if (p === undefined) throw new Error(`${JSON.stringify(port)} is not an RGOS physical port name`);
  return `${p.type} ${p.number}`;
}

/**
 * The underlay a leaf has before netloom touches it (typed in `configure terminal`): the VTEP (`interface Loopback
 * 0` with an address, `interface Nve 1` sourcing from it) and node-facing ports as trunks with an explicit, empty
 * allowed VLAN list.
 */
export function leafUnderlay(ports: readonly string[] = DEFAULT_PORTS): string[] {
  return [
    line(CONFIG.loopback, { n: 0 }),
    line(CONFIG.loopbackAddress, { ip: '10.0.0.11', mask: '255.255.255.255' }),
    SESSION.exit,
    CONFIG.nve,
    line(CONFIG.nveSource, { n: 0 }),
    SESSION.exit,
    ...ports.flatMap((p) => [line(CONFIG.port, devicePortOf(p) ?? { type: p, number: '' }), CONFIG.switchportTrunk, CONFIG.trunkNone, SESSION.exit]),
  ];
}

const KIND_CODECS: Readonly<Record<string, t.Mixed>> = { vrf: VrfCodec, segment: L2SegmentCodec, binding: AccessBindingCodec };

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/**
 * The device harness over a simulator's test API (see the module documentation).
 *
 * @example const harness = ruijieRgosHarness(sim, resolveOptions({}, 'leaf1').render);
 */
export function ruijieRgosHarness(sim: RuijieRgosSimulatorLike, settings: RenderSettings): RuijieRgosDeviceHarness {
  const read = () => readDevice(parseRunningConfig(sim.runningConfig(), 'simulator running configuration'), 'simulator running configuration');
  const freeVlan = (): number => {
    const used = read().index.vlans;
    for (let v = LIMITS.vlan.max; v >= LIMITS.vlan.min; v--) if (!used.has(v)) return v;
    throw new Error('seedForeign: no free VLAN');
  };
  return {
    async seedForeign({ kind, object }) {
      const description = str(object['description']);
      const tail = [...(description === undefined ? [] : [`${CONFIG.descriptionKeyword} ${description}`]), SESSION.exit];
      let lines: string[];
      if (kind === 'segment') {
        const vni = int(object['l2Vni']);
        lines = [line(CONFIG.vlan, { vlan: int(object['vlan']) ?? freeVlan() }), ...(vni === undefined ? [] : [line(CONFIG.vxlanVni, { vni })]), ...tail];
      } else if (kind === 'vrf') {
        const vni = int(object['l3Vni']);
        lines = [line(CONFIG.vrf, { name: str(object['name']) ?? object.key }), ...(vni === undefined ? [] : [line(CONFIG.vrfVni, { vni })]), ...tail];
      } else if (kind === 'binding') {
        const port = str(object['interface']);
        const vlan = int(object['vlan']);
        if (port === undefined || vlan === undefined) throw new Error('seedForeign binding: needs interface and vlan');
        lines = [line(CONFIG.vlan, { vlan }), SESSION.exit, line(CONFIG.port, devicePortOf(port) ?? { type: port, number: '' }), line(CONFIG.trunkAdd, { vlan }), SESSION.exit];
      } else throw new Error(`seedForeign: no ${kind} objects on an RGOS leaf in this adapter`);
      await sim.applyOutOfBand(lines, { user: 'operator' });
    },
    async readConfig() {
      const view = read();
      return { owned: view.config, foreign: view.foreign };
    },
    async changeOutOfBand({ kind, key, object }) {
      const codec = KIND_CODECS[kind];
      if (codec === undefined) throw new Error(`changeOutOfBand: no ${kind} objects in this adapter`);
      const view = read();
      const next = { vrf: { ...view.config.vrf }, interconnect: {}, segment: { ...view.config.segment }, binding: { ...view.config.binding } } as Record<string, Record<string, ConfigObject>>;
      const objects = next[kind]!;
      if (object === undefined) delete objects[key];
      else objects[key] = decodeOrThrow(codec, object, `${kind} ${key}`) as ConfigObject;
      const lines = renderConfig(view, next as unknown as FabricConfig, settings).lines;
      if (lines.length > 0) await sim.applyOutOfBand(lines, { user: 'operator' });
    },
    async injectFault({ afterWrites }) {
      // The next configuration line of a netloom session after `afterWrites` lines that changed running is refused
      // (the lock marker's lines do not count): on an immediate-apply device, a failure in the middle of the apply.
      const wanted = afterWrites ?? 1;
      let seen = 0;
      const notMarker = new RegExp(`^(?!.*${LOCK.prefix})`);
      const off = sim.on('config-change', (e) => {
        if (e.sessionId < 0 || e.command.includes(LOCK.prefix)) return;
        seen++;
        if (seen === wanted) {
          off();
          sim.failNextCommand(notMarker);
        }
      });
      if (wanted <= 0) {
        off();
        sim.failNextCommand(notMarker);
      }
    },
    async writeCount() {
      return sim.stats.configChanges;
    },
  };
}

let sequence = 0;

/**
 * A conformance target: a fresh simulated leaf (with {@link leafUnderlay}) per check, reached over SSH with a random
 * password and its host key pinned.
 *
 * @example runFabricConformance({ adapter, target: ruijieRgosTarget((s) => new RuijieRgosSimulator(s)), samples: rgosSamples })
 */
export function ruijieRgosTarget(createSimulator: RuijieRgosSimulatorFactory, opts: RuijieRgosTargetOptions = {}): RuijieRgosSimulatorTarget {
  return {
    kind: 'simulator',
    create: async ({ checkId }) => {
      const name = `rgos-${++sequence}-${checkId.replace(/[^A-Za-z0-9]+/g, '-')}`.slice(0, 63).replace(/-+$/, '');
      const username = 'netloom';
      const password = randomBytes(12).toString('base64url');
      const ports = opts.ports ?? DEFAULT_PORTS;
      const sim = createSimulator({ hostname: 'Leaf1', users: [{ username, password }], ports: ports.map(devicePort), initialConfig: leafUnderlay(ports) });
      const endpoint = await sim.start();
      const options = { ...(opts.options ?? {}) };
      return {
        target: { name, address: endpoint.host, port: endpoint.port, credentials: { username, password }, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint } },
        options,
        harness: ruijieRgosHarness(sim, resolveOptions(options, name).render),
        dispose: () => sim.stop(),
      };
    },
  };
}

/**
 * The targets of this adapter for the conformance kit, per device port, on simulators made by `createSimulator`.
 *
 * @example const targets = createConformanceTargets((s) => new RuijieRgosSimulator(s));
 */
export function createConformanceTargets(createSimulator: RuijieRgosSimulatorFactory, opts: RuijieRgosTargetOptions = {}): { readonly fabric: RuijieRgosSimulatorTarget } {
  return { fabric: ruijieRgosTarget(createSimulator, opts) };
}

// ---------------------------------------------------------------------------------------------------------------
// Samples

/** A config in input form, open for editing (per kind, key → object). */
export type EditableConfig = Record<string, Record<string, Record<string, unknown>>>;

/** Sample configs for the kit (structurally the kit's `DeviceSamples`). */
export interface RuijieRgosSamples {
  readonly full: () => unknown;
  readonly byCapability: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
  readonly foreign: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> };
  readonly badInputs: readonly { readonly id: string; readonly title: string; readonly capability: string; readonly edit: (config: EditableConfig) => void }[];
}

const put = (c: EditableConfig, kind: string, object: Record<string, unknown> & { key: string }): void => {
  (c[kind] ??= {})[object.key] = object;
};

const BAD_NAMES: readonly { readonly id: string; readonly name: string }[] = [
  { id: 'name-newline', name: 'bad\nexit' },
  { id: 'name-semicolon', name: 'bad;reload' },
  { id: 'name-pipe', name: 'bad|more' },
  { id: 'name-space', name: 'bad name' },
];

/**
 * The kit's fabric samples adapted to an RGOS leaf: ports named as on RGOS (`TenGigabitEthernet0/1`), and bindings of
 * the two segments on two different VLANs (an RGOS leaf maps one VLAN to one segment: no per-port VLAN translation).
 * Extra invalid inputs for the RGOS limits: an interface that is not an RGOS port, a 32-character VRF name, a VRF
 * name in netloom's reserved `netloom-lock` namespace.
 */
export const rgosSamples: RuijieRgosSamples = {
  full: (): unknown => ({
    vrf: { 'vpc-shop': { key: 'vpc-shop', name: 'vpc-shop', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
    interconnect: {
      'vrb-dc2': {
        key: 'vrb-dc2',
        name: 'vrb-dc2',
        vrf: 'vpc-shop',
        importRouteTargets: ['65100:1'],
        exportRouteTargets: ['65000:50001'],
        borderPeers: [{ address: '192.0.2.1', remoteAs: 65100 }],
      },
    },
    segment: {
      '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc-shop', anycastGateway: { ipv4: ['10.1.0.1/24'], ipv6: ['fd00:1::1/64'], mac: '00:00:5e:00:01:01' } },
      '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
    },
    binding: {
      'TenGigabitEthernet0/1:100': { key: 'TenGigabitEthernet0/1:100', interface: 'TenGigabitEthernet0/1', vlan: 100, l2Vni: 10010 },
      'TenGigabitEthernet0/2:200': { key: 'TenGigabitEthernet0/2:200', interface: 'TenGigabitEthernet0/2', vlan: 200, l2Vni: 10020 },
    },
    // Not declared by this adapter (no RGOS flood-list syntax is known): the kit proves it is refused.
    floodVtep: { '10020:192.0.2.141': { key: '10020:192.0.2.141', l2Vni: 10020, remoteIp: '192.0.2.141' } },
  }),
  byCapability: {
    l2Segment: { segment: ['10020'] },
    vrf: { vrf: ['vpc-shop'] },
    anycastGateway: { vrf: ['vpc-shop'], segment: ['10010'] },
    accessBinding: { segment: ['10020'], binding: ['TenGigabitEthernet0/2:200'] },
    interconnect: { vrf: ['vpc-shop'], interconnect: ['vrb-dc2'] },
    floodVtep: { segment: ['10020'], floodVtep: ['10020:192.0.2.141'] },
  },
  foreign: { kind: 'segment', object: { key: '20000', name: 'legacy-bd', l2Vni: 20000, description: 'made by hand' } },
  badInputs: [
    {
      id: 'vlan-5000',
      title: 'a binding on VLAN 5000',
      capability: 'accessBinding',
      edit: (c: EditableConfig): void => {
        put(c, 'segment', { key: '10030', name: 'ls-vlan', l2Vni: 10030 });
        put(c, 'binding', { key: 'TenGigabitEthernet0/3:5000', interface: 'TenGigabitEthernet0/3', vlan: 5000, l2Vni: 10030 });
      },
    },
    { id: 'vni-0', title: 'a segment with L2 VNI 0', capability: 'l2Segment', edit: (c: EditableConfig): void => put(c, 'segment', { key: '0', name: 'ls-zero', l2Vni: 0 }) },
    { id: 'vni-16777216', title: 'a VRF with L3 VNI 2^24', capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: 'vrf-big', name: 'vrf-big', l3Vni: 16_777_216 }) },
    {
      id: 'rgos-interface',
      title: 'a binding on Ethernet1/1 (not an RGOS port name)',
      capability: 'accessBinding',
      edit: (c: EditableConfig): void => {
        put(c, 'segment', { key: '10040', name: 'ls-eth', l2Vni: 10040 });
        put(c, 'binding', { key: 'Ethernet1/1:40', interface: 'Ethernet1/1', vlan: 40, l2Vni: 10040 });
      },
    },
    { id: 'rgos-vrf-name', title: 'a VRF with a 32-character name', capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: `v${'x'.repeat(31)}`, name: `v${'x'.repeat(31)}`, l3Vni: 50098 }) },
    { id: 'rgos-lock-name', title: 'a VRF named like netloom\'s lock marker', capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: 'netloom-lock-x', name: 'netloom-lock-x', l3Vni: 50097 }) },
    ...BAD_NAMES.map((b) => ({ id: `vrf-${b.id}`, title: `a vrf named ${JSON.stringify(b.name)}`, capability: 'vrf', edit: (c: EditableConfig): void => put(c, 'vrf', { key: b.name, name: b.name, l3Vni: 50099 }) })),
    ...BAD_NAMES.map((b) => ({
      id: `segment-${b.id}`,
      title: `a segment named ${JSON.stringify(b.name)}`,
      capability: 'l2Segment',
      edit: (c: EditableConfig): void => put(c, 'segment', { key: '10099', name: b.name, l2Vni: 10099 }),
    })),
  ],
};

// ---------------------------------------------------------------------------------------------------------------
// The shipped targets

let simulators: Promise<{ readonly RuijieRgosSimulator: new (settings: RuijieRgosSimulatorSettings) => RuijieRgosSimulatorLike }> | undefined;

/**
 * The simulator targets `netloom conformance run --adapter @netloom/adapter-ruijie-rgos --target simulator` uses
 * (with {@link conformanceSamples}, which fit an RGOS leaf): a fresh simulated leaf per check. The simulators are
 * imported dynamically when a check creates a device, so the driver loads without `@netloom/conformance` (ADR 0006).
 */
export const conformanceTargets: { readonly fabric: RuijieRgosSimulatorTarget } = {
  fabric: {
    kind: 'simulator',
    create: async (ctx) => {
      simulators ??= import('@netloom/conformance/simulators');
      const { RuijieRgosSimulator } = await simulators;
      return ruijieRgosTarget((s) => new RuijieRgosSimulator(s)).create(ctx);
    },
  },
};

/** The samples `netloom conformance run` uses with {@link conformanceTargets}, per port. */
export const conformanceSamples: { readonly fabric: RuijieRgosSamples } = { fabric: rgosSamples };
