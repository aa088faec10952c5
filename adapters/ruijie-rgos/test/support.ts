// A simulated RGOS leaf for one test: started with the underlay netloom expects, stopped by the caller.
import { randomBytes } from 'node:crypto';
import { RuijieRgosFabricDriver, leafUnderlay } from '@netloom/adapter-ruijie-rgos';
import { RuijieRgosSimulator } from '@netloom/conformance/simulators';
import { FabricConfigCodec, decodeOrThrow, silentLogger, type DeviceTarget, type FabricConfig, type FabricConfigInput, type Logger } from '@netloom/ports';

export interface Leaf {
  readonly sim: RuijieRgosSimulator;
  readonly password: string;
  readonly target: DeviceTarget;
  /** A driver for this leaf with adapter `options` (and target overrides). */
  driver(options?: Record<string, unknown>, target?: Partial<DeviceTarget>, logger?: Logger): RuijieRgosFabricDriver;
  stop(): Promise<void>;
}

/** The node-facing ports of the test leaf, as netloom names them. */
export const PORTS = ['TenGigabitEthernet0/1', 'TenGigabitEthernet0/2', 'TenGigabitEthernet0/3', 'TenGigabitEthernet0/4'];

export async function startLeaf(opts: { readonly hostname?: string; readonly password?: string } = {}): Promise<Leaf> {
  const password = opts.password ?? randomBytes(12).toString('base64url');
  const sim = new RuijieRgosSimulator({
    hostname: opts.hostname ?? 'Leaf1',
    users: [{ username: 'netloom', password }],
    ports: PORTS.map((p) => p.replace(/(\d)/, ' $1')),
    initialConfig: leafUnderlay(PORTS),
  });
  const ep = await sim.start();
  const target: DeviceTarget = {
    name: 'leaf1',
    address: ep.host,
    port: ep.port,
    credentials: { username: 'netloom', password },
    hostKey: { verify: true, fingerprint: ep.hostKeyFingerprint },
  };
  return {
    sim,
    password,
    target,
    driver: (options = {}, t = {}, logger = silentLogger) => new RuijieRgosFabricDriver({ target: { ...target, ...t }, options, logger }),
    stop: () => sim.stop(),
  };
}

/** A fabric config in input form that a test may edit. */
export type EditableInput = { -readonly [K in keyof FabricConfigInput]: Record<string, NonNullable<FabricConfigInput[K]>[string]> };

/** Decodes an input config (canonical form, as observe returns it). */
export const decode = (input: FabricConfigInput): FabricConfig => decodeOrThrow(FabricConfigCodec, input, 'test config');

/** A small valid config: a VRF, a routed segment with an anycast gateway, a plain segment, two bindings. */
export const smallInput = (): EditableInput => ({
  vrf: { vpc1: { key: 'vpc1', name: 'vpc1', l3Vni: 50001, importRouteTargets: ['65000:50001'], exportRouteTargets: ['65000:50001'] } },
  interconnect: {},
  segment: {
    '10010': { key: '10010', name: 'ls-web', l2Vni: 10010, vrf: 'vpc1', anycastGateway: { ipv4: ['10.1.0.1/24'], mac: '00:00:5e:00:01:01' } },
    '10020': { key: '10020', name: 'ls-db', l2Vni: 10020 },
  },
  binding: {
    'TenGigabitEthernet0/1:100': { key: 'TenGigabitEthernet0/1:100', interface: 'TenGigabitEthernet0/1', vlan: 100, l2Vni: 10010 },
    'TenGigabitEthernet0/2:200': { key: 'TenGigabitEthernet0/2:200', interface: 'TenGigabitEthernet0/2', vlan: 200, l2Vni: 10020 },
  },
});

export const small = (): FabricConfig => decode(smallInput());

/** Only segment 10020, without bindings (it gets a leaf VLAN from segmentVlans). */
export const baseline = (): FabricConfig => {
  const c = smallInput();
  return decode({ vrf: {}, interconnect: {}, segment: { '10020': c.segment['10020']! }, binding: {} });
};

/** Resolves with what `p` rejected with, and fails when it resolves. */
export async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** A logger that keeps every entry as JSON text (to prove what never reaches a log). */
export function recordingLogger(): { readonly logger: Logger; readonly lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const put = (level: string) => (obj: object, msg?: string): void => {
      lines.push(JSON.stringify({ level, ...bindings, ...obj, msg }));
    };
    return { debug: put('debug'), info: put('info'), warn: put('warn'), error: put('error'), child: (b) => make({ ...bindings, ...b }) };
  };
  return { logger: make({}), lines };
}

/** The lock markers in a running configuration text. */
export const markersIn = (running: string): string[] => running.split('\n').filter((l) => /^vrf definition netloom-lock-/.test(l));
