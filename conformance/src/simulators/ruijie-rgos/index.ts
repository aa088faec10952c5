/**
 * The Ruijie RGOS leaf simulator ({@link RuijieRgosSimulator}): a Cisco-like CLI over SSH on the generic CLI device
 * engine — `>`/`#`/`(config...)#` prompts, `enable`, `terminal length|width`, immediate-apply configuration, IOS-style
 * errors with carets, `show running-config` with filters, `write` — with a harness API for tests and the embedded
 * demo. Its VXLAN/EVPN syntax is a documented best guess (`ruijieRgosStrings`), UNVERIFIED until a lab recording.
 *
 * Every export carries a `RuijieRgos`/`ruijieRgos` prefix so it cannot clash with other simulators.
 *
 * @packageDocumentation
 */
export {
  RuijieRgosSimulator,
  createRuijieRgosSimulator,
  type RuijieRgosStats,
  type RuijieRgosEvents,
  type RuijieRgosSessionInfo,
} from './ruijie-rgos.simulator';
export {
  RuijieRgosSimulatorOptionsCodec,
  resolveRuijieRgosOptions,
  RUIJIE_ENTERPRISE_OID as RUIJIE_RGOS_ENTERPRISE_OID,
  type RuijieRgosSimulatorOptions,
  type RuijieRgosUser,
  type ResolvedRuijieRgosOptions,
} from './ruijie-rgos.options';
export { ruijieRgosDefaultPorts, ruijieRgosPortRange } from './ruijie-rgos.values';
export * as ruijieRgosStrings from './ruijie-rgos.strings';
