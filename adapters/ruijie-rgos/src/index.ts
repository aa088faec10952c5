/**
 * `@netloom/adapter-ruijie-rgos` — the fabric port for Ruijie RGOS leaf switches over the SSH CLI. RGOS applies
 * configuration immediately (no candidate, no commit, no configuration lock), so the adapter emulates the port's
 * transaction: a lock marker on the device while a transaction is open, the planned lines in dependency order, a
 * read-back, and inverse lines on failure, rollback or close. Ownership by `description netloom:<key>`.
 *
 * Every RGOS string is in `ruijie-rgos.commands.ts`; RGOS's VXLAN syntax is UNVERIFIED there (PROTOCOLS.md §2).
 *
 * @packageDocumentation
 */
import { defineAdapter, type FabricDriver, type PortFactoryOptions } from '@netloom/ports';
import { RUIJIE_RGOS_SUPPORTS, RuijieRgosFabricDriver } from './ruijie-rgos.driver';
import { RuijieRgosOptionsCodec } from './ruijie-rgos.options';
import { RUIJIE_SYS_OBJECT_ID } from './ruijie-rgos.commands';

export {
  LOCK_GRACE_SECONDS,
  RUIJIE_RGOS_SUPPORTS,
  RuijieRgosFabricDriver,
  RuijieRgosFabricSession,
  hostOfPrompt,
  normalizeFabric,
  redactingLogger,
  type RuijieRgosSeams,
} from './ruijie-rgos.driver';
export { DEFAULTS, RuijieRgosOptionsCodec, resolveOptions, settingsProblems, type RenderSettings, type ResolvedOptions, type RuijieRgosOptions } from './ruijie-rgos.options';
export {
  CLI_TOKEN,
  CONFIG,
  DEVICE_PORT,
  ENABLE_PASSWORD_QUESTION,
  ERROR_LINE,
  LIMITS,
  LOCK,
  MARKER_PREFIX,
  MODEL_PORT,
  NEGATE,
  NOTICES,
  PARSE,
  PHYSICAL_TYPES,
  PROMPT,
  RUIJIE_SYS_OBJECT_ID,
  SESSION,
  SVI_REPLACED_BY,
  line,
  rgosDialect,
  ruijieRgosDialect,
  shown,
  type Placeholders,
  type TemplateValues,
} from './ruijie-rgos.commands';
export {
  assertSupported,
  computeLayout,
  conflicts,
  createdBlocks,
  desiredState,
  deviceProblems,
  diffStates,
  featureProblems,
  isRenderableLine,
  portLine,
  renderConfig,
  routeDistinguisherOf,
  splitIpv4Prefix,
  stateDifferences,
  toRgosMac,
  type LayoutInput,
  type RenderInput,
  type RenderedConfig,
} from './ruijie-rgos.render';
export {
  blockId,
  decodeReply,
  devicePortOf,
  emptyState,
  fromRgosMac,
  modelPortName,
  parseRunningConfig,
  parseVersion,
  parseVlanList,
  prefixLength,
  protocolError,
  readDevice,
  type ConfigNode,
  type DeviceIndex,
  type DeviceView,
  type ExtraOwned,
  type ForeignObjects,
  type LockMarker,
  type PortState,
  type RgosMember,
  type RgosState,
} from './ruijie-rgos.parse';
export {
  DEFAULT_PORTS,
  conformanceSamples,
  conformanceTargets,
  createConformanceTargets,
  leafUnderlay,
  rgosSamples,
  ruijieRgosHarness,
  ruijieRgosTarget,
  type EditableConfig,
  type RuijieRgosDeviceHarness,
  type RuijieRgosSamples,
  type RuijieRgosSimulatorFactory,
  type RuijieRgosSimulatorInstance,
  type RuijieRgosSimulatorLike,
  type RuijieRgosSimulatorSettings,
  type RuijieRgosSimulatorTarget,
  type RuijieRgosTargetOptions,
} from './ruijie-rgos.conformance';

/**
 * A fabric driver for one RGOS leaf (the `ports.fabric` factory).
 *
 * @throws InputError for a bad target or options
 */
export function ruijieRgosFabric(opts: PortFactoryOptions): FabricDriver & RuijieRgosFabricDriver {
  return new RuijieRgosFabricDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'ruijie-rgos',
  vendor: 'Ruijie',
  description: 'Ruijie RGOS leaf switches over the SSH CLI (immediate apply; emulated transactions with a lock marker and inverse lines).',
  // UNVERIFIED: the model pattern (Ruijie data-center switches are named RG-S<digits>...); the enterprise is a fact.
  models: { sysObjectIdPrefixes: [RUIJIE_SYS_OBJECT_ID], modelPatterns: ['^RG-S\\d+'] },
  portApi: '^1.0.0',
  ports: { fabric: ruijieRgosFabric },
  supports: RUIJIE_RGOS_SUPPORTS,
  optionsCodec: RuijieRgosOptionsCodec,
});
