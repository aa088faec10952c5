/**
 * `@netloom/adapter-arista-eos` — the fabric port of netloom for Arista EOS leaf switches over eAPI (JSON-RPC 2.0
 * over HTTPS): VRFs (IP-VRF with L3 VNI), L2 segments (VLAN ↔ L2 VNI with EVPN MAC-VRF), anycast gateways
 * (`ip address virtual`), access bindings (per-port VLAN translation to the segment's leaf VLAN), one configuration
 * session per transaction with `commit timer` as the confirmed commit.
 *
 * @example
 * import { adapter } from '@netloom/adapter-arista-eos';
 * const driver = adapter.ports.fabric!({ target: { name: 'leaf1', address: '192.0.2.11', credentials, tls: { verify: true, ca } },
 *                                        options: { segmentVlans: { from: 3000, to: 3499 } }, logger });
 * const session = await driver.connect();
 * const plan = await session.plan({ desired });             // operations: the exact EOS lines
 * const tx = await session.apply({ changeSet: plan, confirmWithinSec: 120 });
 * await session.confirm({ transaction: tx });
 *
 * @packageDocumentation
 */
import { defineAdapter, type FabricDriver, type PortFactoryOptions } from '@netloom/ports';
import { ARISTA_EOS_SUPPORTS, AristaEosDriver } from './arista-eos.driver';
import { AristaEosOptionsCodec } from './arista-eos.options';

export { ARISTA_EOS_SUPPORTS, AristaEosDriver, AristaEosSession, SESSION_PREFIX, eosProblems } from './arista-eos.driver';
export { AristaEosOptionsCodec, DEFAULT_CONFIRM_TIMEOUT_SEC, DEFAULT_SEGMENT_VLANS, type AristaEosOptions } from './arista-eos.options';
export { EapiClient, EapiCommandError, type EapiClientOptions, type EapiCommand, type RunOptions } from './arista-eos.eapi';
export { renderChanges, serializeEdits, type RenderSettings, type RenderedChanges } from './arista-eos.commands';
export { foreignView, observeFabric, ownedSegmentVlans, ownedVrfNames, type ForeignObject, type ObservedFabric } from './arista-eos.parsers';
export { parseConfigLines, parseVlanSet, readEosState, type ConfigLine, type EosBgp, type EosInterface, type EosState } from './arista-eos.running-config';
export { SEGMENT_NAME_MAX, VLAN_NAME_PREFIX, segmentNameOf, segmentSviMarker, segmentVlanName, vrfMarker } from './arista-eos.markers';
export {
  aristaEosHarness,
  aristaEosTarget,
  conformanceTargets,
  loadSimulators,
  type AristaEosDeviceHarness,
  type AristaEosSimulatorInstance,
  type AristaEosSimulatorTarget,
  type AristaEosTargetOptions,
  type EosSimulatorLike,
  type EosSimulatorModuleLike,
} from './arista-eos.conformance';

/** The fabric driver factory (what the runtime calls for an inventory entry). @throws InputError (bad options) */
export function aristaEosFabric(opts: PortFactoryOptions): FabricDriver {
  return new AristaEosDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'arista-eos',
  vendor: 'Arista',
  description: 'Arista EOS leaf switches over eAPI (JSON-RPC over HTTPS): VRFs, L2 segments, anycast gateways, access bindings, commit timer.',
  models: { sysObjectIdPrefixes: ['1.3.6.1.4.1.30065'], modelPatterns: ['^(DCS|CCS)-7'] },
  portApi: '^1.1.0',
  ports: { fabric: aristaEosFabric },
  supports: { fabric: ARISTA_EOS_SUPPORTS },
  optionsCodec: AristaEosOptionsCodec,
});
