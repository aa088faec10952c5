/**
 * Test helpers: a simulated leaf (fresh ovsdb-server with hardware_vtep, behind the counting tap) with sessions
 * that are all closed afterwards, fabric configs in input form, polling.
 */
import { type HwVtepSimulatorInstance, hwVtepFabric, hwVtepSimulator } from '@netloom/adapter-hw-vtep';
import { type FabricConfig, type FabricConfigInput, FabricConfigCodec, decodeOrThrow, silentLogger } from '@netloom/ports';
import type { HwVtepFabricSession } from '@netloom/adapter-hw-vtep';

/** A simulated leaf and the sessions opened on it. */
export interface Leaf {
  readonly instance: HwVtepSimulatorInstance;
  /** Opens a session (a new driver, as a second controller would). Closed by {@link Leaf.dispose}. */
  connect(options?: Record<string, unknown>): Promise<HwVtepFabricSession>;
  dispose(): Promise<void>;
}

/** Starts a simulated leaf. */
export async function startLeaf(checkId = 'unit'): Promise<Leaf> {
  const instance = await hwVtepSimulator().create({ checkId });
  const sessions: HwVtepFabricSession[] = [];
  return {
    instance,
    async connect(options = {}) {
      const driver = hwVtepFabric({ target: instance.target, options: { ...(instance.options as object), ...options }, logger: silentLogger });
      const s = await driver.connect();
      sessions.push(s);
      return s;
    },
    async dispose() {
      for (const s of sessions.splice(0)) await s.close().catch(() => undefined);
      await instance.dispose();
    },
  };
}

/** A fabric config from its segments and bindings (decoded, canonical). */
export function fabric(segments: Array<[number, string]>, bindings: Array<[string, number, number]> = []): FabricConfig {
  const input: FabricConfigInput = {
    vrf: {},
    interconnect: {},
    segment: Object.fromEntries(segments.map(([vni, name]) => [String(vni), { key: String(vni), name, l2Vni: vni }])),
    binding: Object.fromEntries(bindings.map(([iface, vlan, vni]) => [`${iface}:${vlan}`, { key: `${iface}:${vlan}`, interface: iface, vlan, l2Vni: vni }])),
  };
  return decodeOrThrow(FabricConfigCodec, input, 'test config');
}

/** Plans, applies and confirms `desired`. */
export async function converge(session: HwVtepFabricSession, desired: FabricConfig): Promise<void> {
  const tx = await session.apply({ changeSet: await session.plan({ desired }) });
  await session.confirm({ transaction: tx });
}

/** Polls `probe` until it returns something other than undefined/false; fails with `what` after `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
