/**
 * Where the device-port kits run: a target (ARCHITECTURE §9) and the device harness a simulator provides.
 *
 * - `simulator` (implemented): a device the test process creates itself, fresh for every check — an in-process
 *   protocol-level simulator, or an in-memory device such as the fake adapter's. `create()` says how the adapter
 *   reaches it (`target`, `options`) and hands the kit a {@link DeviceHarness}.
 * - `live`: a lab device named in a target file (`record/target-file.ts`): its address, credentials by reference,
 *   and the interfaces, VLANs and VNIs the suite may use. The kit remaps its samples into them, and after every check
 *   (also a failed one) removes exactly the keys the check created. With `record`, every connection goes through a
 *   local recording proxy and the run is written to `<record>/<check id>/<case>/session-<n>.json` (redacted).
 * - `replay`: a recorded run (one folder per check and case) played back by local servers of the recorded
 *   protocol, without a device. A missing recording or a divergence fails the check.
 *
 * Live and replay targets have no {@link DeviceHarness}: the checks that need one are skipped with a reason.
 *
 * @packageDocumentation
 */
import type { ConfigObject, DeviceConfig, DeviceTarget } from '@netloom/ports';

/**
 * What the kit needs from a simulated device beyond the port itself: the view and the levers an operator at the
 * console would have. The port only ever shows the objects netloom owns; the harness shows everything, so the kit
 * can prove that foreign objects stay untouched, that a fault mid-commit leaves the last committed configuration,
 * and that a plan or a rejected input wrote nothing.
 *
 * Every simulator must provide one. The kit calls it only after it has created the adapter's driver for the check
 * (so the device exists) and never from two checks at once. Objects are in the port's vocabulary (`kind` is a key
 * of the port's config, e.g. `segment`); foreign objects may carry fields the vocabulary does not know.
 */
export interface DeviceHarness {
  /**
   * Puts an object on the device that netloom does not own (as another tool or an operator would): without
   * netloom's ownership marker, so `observe` must never return it and no apply may change or delete it.
   */
  seedForeign(opts: { readonly kind: string; readonly object: ConfigObject & Readonly<Record<string, unknown>> }): Promise<void>;
  /**
   * Everything the device holds right now, including an applied but unconfirmed transaction: the owned objects (in
   * the port's vocabulary, canonical form) and the foreign ones, per kind and key.
   */
  readConfig(): Promise<HarnessConfig>;
  /**
   * Changes (or, with `object` undefined, deletes) an owned object out of band, committed, as an operator at the
   * CLI would. The kit then expects `observe` to show the change (drift).
   */
  changeOutOfBand(opts: { readonly kind: string; readonly key: string; readonly object: ConfigObject | undefined }): Promise<void>;
  /**
   * Arms one fault: the device fails the next commit after `afterWrites` object writes (default 1), as a device
   * that loses power or rejects a line mid-commit would. The adapter must report a netloom device error and leave
   * the device at its last committed configuration.
   */
  injectFault(opts: { readonly type: 'midCommit'; readonly afterWrites?: number }): Promise<void>;
  /** How many object writes the device has received since it was created (reads never count). */
  writeCount(): Promise<number>;
}

/** What {@link DeviceHarness.readConfig} returns. */
export interface HarnessConfig {
  readonly owned: DeviceConfig;
  readonly foreign: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** One simulated device, created for one check. */
export interface SimulatorInstance {
  /** How the adapter reaches the device (passed to the port factory as `target`). */
  readonly target: DeviceTarget;
  /** Adapter options for this device (passed to the port factory as `options`). */
  readonly options?: unknown;
  /** The levers the kit needs; absent: the checks that need it are skipped with a reason. */
  readonly harness?: DeviceHarness;
  /** Frees the device after the check (stop the server, forget the in-memory device). */
  dispose?(): void | Promise<void>;
}

/** What `create` is told about the check it creates a device for. */
export interface SimulatorCreateContext {
  /** The check's id (`idempotency`): use it to name fixtures or to keep devices apart. */
  readonly checkId: string;
}

/** A device the test process creates itself, fresh for every check. */
export interface SimulatorTarget {
  readonly kind: 'simulator';
  /** Creates a fresh device (with no objects netloom owns) for one check. */
  create(ctx: SimulatorCreateContext): SimulatorInstance | Promise<SimulatorInstance>;
  /**
   * Capabilities the simulated device lacks although the adapter declares them (an older model or firmware). The
   * kit then expects `NotSupportedError` for them, as for undeclared ones.
   */
  readonly lacks?: readonly string[];
}

/**
 * Recorded sessions replayed without a device.
 *
 * @example runFabricConformance({ adapter, target: { kind: 'replay', dir: 'test/recordings/leaf1' }, samples: ceSamples })
 */
export interface ReplayTarget {
  readonly kind: 'replay';
  /** The folder of recordings: `<dir>/manifest.json` and `<dir>/<check id>/<case>/session-<n>.json`. */
  readonly dir: string;
}

/**
 * A lab device named in a target file, optionally recorded.
 *
 * @example fabricConformance({ adapter, target: { kind: 'live', file: 'lab/leaf1.yaml', record: 'recordings/leaf1' } })
 */
export interface LiveTarget {
  readonly kind: 'live';
  /** The target file naming the device, its address, credential references and what the suite may touch. */
  readonly file: string;
  /** Record the run into this folder (replacing the recordings of the checks that run). */
  readonly record?: string;
  /** Where `{ env }` credential references are read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called with every secret the target file resolves (so a caller can scrub its own output of them). */
  readonly onSecret?: (value: string) => void;
  /** The adapter package, for the file's `adapter` check and the manifest. */
  readonly adapterPackage?: { readonly name: string; readonly version: string };
}

/** Where a device-port kit runs. */
export type DeviceTargetSpec = SimulatorTarget | ReplayTarget | LiveTarget;

/** The target kinds. */
export const TARGET_KINDS = ['simulator', 'replay', 'live'] as const;
