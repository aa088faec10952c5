/**
 * `@netloom/adapter-huawei-ce` — the fabric port for Huawei CloudEngine (VRP8) leaf switches over the SSH CLI, with
 * the two-stage commit (`commit trial`, confirmed or aborted), ownership by `description netloom:<key>`, and the
 * exact VRP lines of every change in the plan.
 *
 * @packageDocumentation
 */
import { defineAdapter, type FabricDriver, type PortFactoryOptions } from '@netloom/ports';
import { HUAWEI_CE_SUPPORTS, HuaweiCeFabricDriver } from './huawei-ce.driver';
import { HuaweiCeOptionsCodec } from './huawei-ce.options';

export { HUAWEI_CE_SUPPORTS, HuaweiCeFabricDriver, HuaweiCeFabricSession, normalizeFabric, redactingLogger } from './huawei-ce.driver';
export { HuaweiCeOptionsCodec, DEFAULTS, resolveOptions, type HuaweiCeOptions, type RenderSettings, type ResolvedOptions } from './huawei-ce.options';
export {
  CE_BD,
  CE_BD_DESCRIPTION_MAX,
  CE_INTERFACE,
  CE_VNI,
  CE_VPN_NAME_MAX,
  CLI_TOKEN,
  CONFIG,
  MARKER_PREFIX,
  PARSE,
  SESSION,
  SYSTEM_PROMPT,
  TRIAL_SECONDS,
  USER_PROMPT,
  line,
  vrp8Dialect,
  type Placeholders,
  type TemplateValues,
} from './huawei-ce.commands';
export {
  assertGatewaysSupported,
  bridgeDomainOf,
  deviceProblems,
  renderChanges,
  routeDistinguisherOf,
  segmentTargetOf,
  serializeEdits,
  splitIpv4Prefix,
  toVrpMac,
  type Edit,
  type KindChange,
} from './huawei-ce.render';
export {
  applyCandidateChanges,
  decodeReply,
  foreignProjection,
  fromVrpMac,
  parseCandidateChanges,
  parseCommitList,
  parseConfigText,
  parseVersion,
  readFabric,
  type CandidateLine,
  type CommitRow,
  type ConfigNode,
  type DeviceIndex,
  type FabricView,
  type ForeignObjects,
} from './huawei-ce.parse';
export {
  createConformanceTargets,
  ceSamples,
  conformanceSamples,
  conformanceTargets,
  huaweiCeHarness,
  huaweiCeTarget,
  LEAF_UNDERLAY,
  type EditableConfig,
  type HuaweiCeDeviceHarness,
  type HuaweiCeSamples,
  type HuaweiCeSimulatorFactory,
  type HuaweiCeSimulatorLike,
  type HuaweiCeSimulatorSettings,
  type HuaweiCeSimulatorInstance,
  type HuaweiCeSimulatorTarget,
  type HuaweiCeTargetOptions,
} from './huawei-ce.conformance';

/**
 * A fabric driver for one CloudEngine leaf (the `ports.fabric` factory).
 *
 * @throws InputError for a bad target or options
 */
export function huaweiCeFabric(opts: PortFactoryOptions): FabricDriver & HuaweiCeFabricDriver {
  return new HuaweiCeFabricDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'huawei-ce',
  vendor: 'Huawei',
  description: 'Huawei CloudEngine (VRP8) leaf switches over the SSH CLI, with two-stage commit.',
  models: { sysObjectIdPrefixes: ['1.3.6.1.4.1.2011.2.239'], modelPatterns: ['^CE\\d+'] },
  portApi: '^1.1.0',
  ports: { fabric: huaweiCeFabric },
  supports: HUAWEI_CE_SUPPORTS,
  optionsCodec: HuaweiCeOptionsCodec,
});
