/**
 * The vswitch driver and session on Open vSwitch: the shared driver of `@netloom/ovs-vswitch` (the device lifecycle
 * of `@netloom/ports` over OVSDB and OpenFlow 1.3) with this adapter's hooks (ovs.hooks.ts).
 *
 * - `plan` validates, diffs (`diffConfig`) and renders the exact OVSDB operations (JSON) and flow_mods (text).
 * - `apply` takes the OVSDB lock `netloom_vswitch` (a second writer gets `LockedError`), re-reads the device,
 *   refuses a change set that no longer fits (stale `before`, or operations that render differently now), then
 *   runs `pre` → flow adds → `main` → flow resync → `post`, waiting after each OVSDB transaction until
 *   ovs-vswitchd has applied it. Any failure rolls the device back to the snapshot taken before the first write
 *   (reconnecting and re-taking the lock if the connection was lost) and throws `CommitError`.
 * - The lock is held until `confirm` or `rollback`; `close` rolls an unconfirmed transaction back.
 *
 * @packageDocumentation
 */
import { VSwitchCoreDriver, VSwitchCoreSession } from '@netloom/ovs-vswitch';
import type { ConnectOptions, PortFactoryOptions } from '@netloom/ports';
import { OVS_HOOKS } from './ovs.hooks';

export { LOCK_NAME, ObservedVSwitchConfigCodec } from '@netloom/ovs-vswitch';
export { OVS_SUPPORTS } from './ovs.hooks';

/**
 * The vswitch driver of one Open vSwitch node. Options: see `resolveOptions`.
 *
 * @example
 * const driver = ovsVSwitch({ target: { name: 'node-1' }, options: { datapathType: 'system' }, logger });
 * const session = await driver.connect();
 */
export class OvsVSwitchDriver extends VSwitchCoreDriver {
  /** @throws InputError for a target name that is not a safe name or invalid options. */
  constructor(opts: PortFactoryOptions) {
    super(opts, OVS_HOOKS);
  }

  /**
   * Connects to the OVSDB server (the OpenFlow side is reached when first needed).
   *
   * @throws DeviceConnectionError (refused, no socket, TLS), DeviceTimeoutError, DeviceProtocolError (no
   *   `Open_vSwitch` database).
   */
  override async connect(opts: ConnectOptions = {}): Promise<OvsVSwitchSession> {
    return new OvsVSwitchSession(this, await this.connectClient(opts));
  }
}

/** A session with one Open vSwitch node (plan, apply, confirm, rollback, `resyncFlows`; see `VSwitchCoreSession`). */
export class OvsVSwitchSession extends VSwitchCoreSession {}
