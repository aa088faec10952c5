/**
 * The simulator targets for the conformance kit (`netloom conformance run --adapter @netloom/adapter-h3c-s1020v
 * --target simulator`, and this package's tests): the shared harnesses of `@netloom/ovs-vswitch` with this adapter's
 * hooks. No S1020V is available, so the simulator is what the adapter treats the S1020V as (h3c.vendor.ts): Open
 * vSwitch 3.1.
 *
 * - `vswitch` (the default): for every check a FRESH Open vSwitch — a real `ovsdb-server` and userspace
 *   `ovs-vswitchd` in a temporary directory — reached through the OVSDB fault proxy (write counting, mid-commit
 *   faults), OpenFlow in `connect` mode, foreign objects seeded with ovs-vsctl/ovs-ofctl (a foreign bridge gets
 *   `fail_mode=secure` and a flow with cookie `0xf00d`), out-of-band OVSDB edits; `br-int` adoptable. Needs root and
 *   Open vSwitch; checks run one after another.
 * - `vswitchSimulated`: the OVSDB and OpenFlow switch simulators of `@netloom/conformance/simulators`, loaded with a
 *   dynamic `import()` on first use (ADR 0006: shipped adapter code never imports `@netloom/conformance`).
 *
 * @packageDocumentation
 */
import type { OvsdbClient } from '@netloom/ovsdb';
import type { OvsSandbox } from '@netloom/ovsdb/testing';
import {
  VSwitchSandboxHarness,
  startVSwitchSandboxDevice,
  vswitchSandboxTarget,
  vswitchSimulatedTarget,
  type OvsdbFaultProxy,
  type VSwitchDeviceHarness,
  type VSwitchSandboxDevice,
  type VSwitchSimulatorInstance,
  type VSwitchSimulatorTarget,
} from '@netloom/ovs-vswitch';
import { H3C_HOOKS } from './h3c.hooks';

export { ADOPTABLE_BRIDGES, FOREIGN_COOKIE, freePort } from '@netloom/ovs-vswitch';

/** What the kit needs from a simulated device beyond the port (structurally the kit's `DeviceHarness`). */
export type H3cDeviceHarness = VSwitchDeviceHarness;
/** One sandboxed Open vSwitch for one check (structurally the kit's `SimulatorInstance`). */
export type H3cSimulatorInstance = VSwitchSimulatorInstance;
/** A fresh sandbox per check (structurally the kit's `SimulatorTarget`). */
export type H3cSimulatorTarget = VSwitchSimulatorTarget;
/** A sandboxed Open vSwitch with the adapter options that reach it through the fault proxy. */
export type H3cSandboxDevice = VSwitchSandboxDevice;

/** The harness of one sandbox with this adapter's model (exported for tests that drive a sandbox themselves). */
export class H3cSandboxHarness extends VSwitchSandboxHarness {
  constructor(sandbox: OvsSandbox, client: OvsdbClient, proxy: OvsdbFaultProxy, adapterOptions: Record<string, unknown>) {
    super(H3C_HOOKS, sandbox, client, proxy, adapterOptions);
  }
}

/** Starts a sandbox, the fault proxy in front of it and the harness. Cleans up after itself when a step fails. */
export function startH3cSandboxDevice(): Promise<H3cSandboxDevice> {
  return startVSwitchSandboxDevice(H3C_HOOKS);
}

/** A fresh sandboxed Open vSwitch per check (devices `s1020v-<check>`). */
export function h3cSandboxTarget(): H3cSimulatorTarget {
  return vswitchSandboxTarget(H3C_HOOKS, 's1020v');
}

// ADR 0006: the simulators are loaded only when a simulated check runs (a dynamic import), never by the driver.
let simulators: Promise<unknown> | undefined;

/**
 * The simulator target without Open vSwitch (devices `s1020v-sim-<check>`): fresh OVSDB and OpenFlow switch
 * simulators per check with the shared simulated harness. No root needed.
 *
 * @param load how to load the simulators module (tests may hand it in); default: `import()` it.
 * @example runVSwitchConformance({ adapter, target: conformanceTargets.vswitchSimulated });
 */
export function h3cSimulatedTarget(load: () => Promise<unknown> = () => (simulators ??= import('@netloom/conformance/simulators') as Promise<unknown>)): H3cSimulatorTarget {
  return vswitchSimulatedTarget(H3C_HOOKS, 's1020v-sim', load);
}

/**
 * The simulator targets this adapter ships, per device port: `vswitch` (the default) runs a real Open vSwitch
 * sandbox per check (root and Open vSwitch needed); `vswitchSimulated` runs the OVSDB and OpenFlow simulators.
 */
export const conformanceTargets: { readonly vswitch: H3cSimulatorTarget; readonly vswitchSimulated: H3cSimulatorTarget } = {
  vswitch: h3cSandboxTarget(),
  vswitchSimulated: h3cSimulatedTarget(),
};
