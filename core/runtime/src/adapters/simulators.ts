/**
 * Simulated devices (`simulator: true` in the inventory, labs and the demo only): the runtime starts the adapter
 * package's own protocol simulator for the device in-process — the `conformanceTargets[port]` the package ships for
 * the conformance kit (ADR 0006) — and connects the adapter to it with the target and options that simulator hands
 * back. The device's address, port, credentials and TLS / host-key settings are not used (the profile refuses them).
 *
 * ```ts
 * const simulators = await startSimulators(await loadProfileAdapters(loaded));
 * const container = createContainer({ loaded, adapters: simulators.registry });
 * try {
 *   // ... the controller, plan, apply ...
 *   await simulators.get('leaf1').harness?.readConfig(); // what the simulated leaf holds now
 * } finally {
 *   await disposeContainer(container);
 *   await simulators.dispose();
 * }
 * ```
 * @packageDocumentation
 */
import type { DeviceHarness, SimulatorInstance, SimulatorTarget } from '@netloom/conformance';
import * as t from 'io-ts';
import {
  DeviceConnectionError,
  InputError,
  NotFoundError,
  decodeOrThrow,
  isNetloomError,
  problemsFromErrors,
  silentLogger,
  type DevicePortKind,
  type DeviceTarget,
  type Logger,
} from '@netloom/ports';
import type { AdapterRegistry, DeviceBinding, LoadedAdapter, SimulatedTarget } from './registry';

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/**
 * The simulator target an adapter package ships for a port (`conformanceTargets.<port>Simulated` when it has one: an
 * in-process protocol simulator where `<port>` starts real daemons), or why there is none.
 * @example const found = findSimulatorTarget(loaded, 'fabric'); if (!found.ok) console.log(found.reason);
 */
export function findSimulatorTarget(adapter: LoadedAdapter, port: DevicePortKind | 'discovery'): { ok: true; target: SimulatorTarget } | { ok: false; reason: string } {
  const shipped = adapter.exports?.['conformanceTargets'];
  // `<port>Simulated` is an in-process protocol simulator where `<port>` needs real daemons (the OVS adapters).
  const target = isRecord(shipped) ? (shipped[`${port}Simulated`] ?? shipped[port]) : undefined;
  if (target === undefined) {
    return {
      ok: false,
      reason: `${adapter.packageName} ships no simulator for the ${port} port (it exports no conformanceTargets.${port}); remove simulator: true and give the device's address and credentials`,
    };
  }
  if (!isRecord(target) || target['kind'] !== 'simulator' || typeof target['create'] !== 'function') {
    return { ok: false, reason: `${adapter.packageName}: conformanceTargets.${port} is not a simulator target (expected { kind: 'simulator', create(ctx) })` };
  }
  return { ok: true, target: target as unknown as SimulatorTarget };
}

/** What a simulator's `create` must hand back about where it listens (checked: it comes from a plugin). */
const SimulatorEndpointCodec = t.type({
  name: t.string,
  address: t.union([t.string, t.undefined]),
  port: t.union([t.number, t.undefined]),
});

/** One running simulated device. */
export interface SimulatedDevice {
  /** The inventory name. */
  readonly name: string;
  /** The port the device's role uses. */
  readonly port: DevicePortKind;
  /** The adapter package whose simulator it is. */
  readonly adapter: LoadedAdapter;
  /** How the adapter reaches the simulator (named after the inventory device). */
  readonly target: DeviceTarget;
  /** The options the adapter gets for it: the simulator target's, with the device's own `options` on top. */
  readonly options: unknown;
  /**
   * The simulator's test levers (read its configuration, change it out of band, inject a fault), as the
   * conformance kit uses them; absent when the package ships none.
   */
  readonly harness?: DeviceHarness;
}

/** Options of {@link startSimulators}. */
export interface StartSimulatorsOptions {
  /** Where start and stop problems are logged (default: nowhere). */
  readonly logger?: Logger;
  /** Prefix of the check id each simulator is created with (`<prefix>.<device>`; default `demo`). */
  readonly checkIdPrefix?: string;
}

/**
 * The simulators of one profile's simulated devices, running, and the registry that binds them to their devices.
 * Create drivers (the container) from {@link SimulatorSet.registry}; call {@link SimulatorSet.dispose} when done.
 */
export class SimulatorSet {
  readonly #devices: ReadonlyMap<string, SimulatedDevice>;
  readonly #instances: readonly SimulatorInstance[];
  readonly #logger: Logger;
  #disposed: Promise<void> | undefined;

  /** @internal use {@link startSimulators} */
  constructor(
    /** The profile's registry with every simulated device bound to its running simulator. */
    readonly registry: AdapterRegistry,
    devices: ReadonlyMap<string, SimulatedDevice>,
    instances: readonly SimulatorInstance[],
    logger: Logger,
  ) {
    this.#devices = devices;
    this.#instances = instances;
    this.#logger = logger;
  }

  /** Number of running simulated devices. */
  get size(): number {
    return this.#devices.size;
  }

  /** Every simulated device, in inventory order. */
  list(): SimulatedDevice[] {
    return [...this.#devices.values()];
  }

  /** True if `name` is a simulated device of this set. */
  has(name: string): boolean {
    return this.#devices.has(name);
  }

  /** One simulated device. @throws NotFoundError if `name` is not a simulated device of the profile. */
  get(name: string): SimulatedDevice {
    const d = this.#devices.get(name);
    if (d === undefined) {
      throw new NotFoundError(`no simulated device named ${JSON.stringify(name)} (simulated: ${[...this.#devices.keys()].join(', ') || 'none'})`, { details: { device: name } });
    }
    return d;
  }

  /**
   * Stops every simulator (idempotent; never throws: a simulator that fails to stop is logged, the others are
   * still stopped).
   */
  dispose(): Promise<void> {
    this.#disposed ??= disposeAll(this.#instances, this.#logger);
    return this.#disposed;
  }
}

async function disposeAll(instances: readonly SimulatorInstance[], logger: Logger): Promise<void> {
  const results = await Promise.allSettled(instances.map(async (i) => i.dispose?.()));
  for (const r of results) {
    if (r.status === 'rejected') logger.warn({ err: r.reason instanceof Error ? r.reason.message : String(r.reason) }, 'a device simulator did not stop cleanly');
  }
}

/** The simulator target's options with the device's own (as written in the profile) on top, validated. */
function mergeOptions(b: DeviceBinding, fromSimulator: unknown): unknown {
  const own: unknown = b.device.options;
  const merged = isRecord(fromSimulator) && isRecord(own) ? { ...fromSimulator, ...own } : (own ?? fromSimulator);
  const codec = b.adapter.definition.optionsCodec;
  if (codec === undefined) return merged;
  const r = codec.decode(merged ?? {});
  if (r._tag === 'Right') return r.right;
  const at = `inventory.devices[${b.index}].options`;
  throw InputError.fromProblems(
    `the options of simulated device ${b.device.name} (the ${b.adapter.packageName} simulator's, with the profile's on top)`,
    problemsFromErrors(r.left).map((p) => ({ path: p.path === '' ? at : `${at}.${p.path}`, reason: p.reason })),
  );
}

async function startOne(b: DeviceBinding, checkId: string): Promise<{ device: SimulatedDevice; instance: SimulatorInstance }> {
  if (b.port === 'discovery') throw new InputError(`${b.device.name}: discovery devices cannot be simulated`, [{ path: `inventory.devices[${b.index}].simulator`, reason: 'discovery devices cannot be simulated' }]);
  const found = findSimulatorTarget(b.adapter, b.port);
  if (!found.ok) throw InputError.fromProblems(`simulated device ${b.device.name}`, [{ path: `inventory.devices[${b.index}].simulator`, reason: found.reason }]);
  let instance: SimulatorInstance;
  try {
    instance = await found.target.create({ checkId });
  } catch (e) {
    const why = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
    throw new DeviceConnectionError(`${b.device.name}: the ${b.adapter.packageName} simulator for the ${b.port} port did not start: ${why}`, {
      cause: e,
      details: { device: b.device.name, package: b.adapter.packageName, port: b.port },
    });
  }
  try {
    if (!isRecord(instance)) throw new InputError(`${b.adapter.packageName}: conformanceTargets.${b.port}.create() returned no simulator instance`);
    decodeOrThrow(SimulatorEndpointCodec, instance.target, `${b.adapter.packageName}: the target conformanceTargets.${b.port}.create() returned`);
    const target: DeviceTarget = { ...instance.target, name: b.device.name };
    const options = mergeOptions(b, instance.options);
    return {
      device: { name: b.device.name, port: b.port, adapter: b.adapter, target, options, ...(instance.harness !== undefined ? { harness: instance.harness } : {}) },
      instance,
    };
  } catch (e) {
    await Promise.resolve(instance.dispose?.()).catch(() => undefined);
    throw e;
  }
}

/**
 * Starts the simulator of every device with `simulator: true` (in parallel, each with check id
 * `demo.<device>`), and returns them with the registry that binds each to its device. Devices without
 * `simulator: true` are left as they are; a profile without any gives an empty set and the same registry.
 *
 * @throws InputError (a package ships no simulator for the port, or the merged options are invalid; the path
 *   names the device), DeviceConnectionError (a simulator did not start; the original error is the cause). Every
 *   simulator already started is stopped before it throws.
 * @example const simulators = await startSimulators(registry); try { ... } finally { await simulators.dispose(); }
 */
export async function startSimulators(registry: AdapterRegistry, opts: StartSimulatorsOptions = {}): Promise<SimulatorSet> {
  const logger = opts.logger ?? silentLogger;
  const prefix = opts.checkIdPrefix ?? 'demo';
  const wanted = registry.devices().filter((b) => b.device.simulator === true);
  const settled = await Promise.allSettled(wanted.map((b) => startOne(b, `${prefix}.${b.device.name}`)));
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failed.length > 0) {
    await disposeAll(
      started.map((s) => s.instance),
      logger,
    );
    // Problems of the profile are reported together; anything else: the first error, the others logged.
    const inputs = failed.filter((e): e is InputError => e instanceof InputError && e.problems.length > 0);
    if (inputs.length > 1 && inputs.length === failed.length) throw InputError.fromProblems('simulated devices', inputs.flatMap((e) => e.problems));
    for (const e of failed.slice(1)) logger.error({ err: e instanceof Error ? e.message : String(e) }, 'a device simulator did not start');
    const first = failed[0];
    throw isNetloomError(first) ? first : new DeviceConnectionError(`a device simulator did not start: ${first instanceof Error ? first.message : String(first)}`, { cause: first });
  }
  const devices = new Map(started.map((s) => [s.device.name, s.device] as const));
  const bound = new Map<string, SimulatedTarget>(started.map((s) => [s.device.name, { target: s.device.target, options: s.device.options }] as const));
  for (const d of devices.values()) logger.info({ device: d.name, package: d.adapter.packageName, port: d.port, address: d.target.address, tcpPort: d.target.port }, 'device simulator started');
  return new SimulatorSet(
    registry.withSimulators(bound),
    devices,
    started.map((s) => s.instance),
    logger,
  );
}
