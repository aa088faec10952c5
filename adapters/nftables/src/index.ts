/**
 * `@netloom/adapter-nftables` — the firewall port on Linux nftables: a VFW (a Linux x86 VNF between VPCs) driven
 * locally (optionally inside a network namespace) or over SSH. netloom owns one table (`inet netloom`) and the zones'
 * legs (interfaces marked `netloom:leg:...`); everything else is never read, changed or deleted.
 *
 * @example
 * import { adapter } from '@netloom/adapter-nftables';
 * const driver = adapter.ports.firewall!({ target: { name: 'vfw1' }, options: { mode: 'local', netns: 'vfw1' }, logger });
 * const session = await driver.connect();
 * const tx = await session.apply({ changeSet: await session.plan({ desired }) });
 * await session.confirm({ transaction: tx });
 *
 * @packageDocumentation
 */
import { defineAdapter, type CapabilityManifest, type PortFactoryOptions } from '@netloom/ports';
import { NFTABLES_FIREWALL_CAPABILITIES, NftablesDriver } from './nftables.driver';
import { NftablesOptionsCodec } from './nftables.options';

export {
  LEG_MEDIUM,
  NFTABLES_FIREWALL_CAPABILITIES,
  NFT_MEDIUM,
  NftablesDriver,
  NftablesSession,
  defaultRunnerFactory,
  deviceIdentity,
  legContextOf,
  normalizeConfig,
  operationsOf,
  readFirewall,
  readOwnedConfig,
  type FirewallView,
  type NftRunnerFactory,
  type NftablesDriverExtras,
  type ReadFirewallOptions,
  type ReadOwnedOptions,
} from './nftables.driver';
export {
  FORWARD_KEY,
  IpAddrInfoCodec,
  IpLinkCodec,
  IpLinksCodec,
  LEG_MARKER,
  OvsPortTableCodec,
  attachLegs,
  decodeReply,
  forwardStep,
  legAlias,
  legsOfConfig,
  macForLeg,
  observedLegsOfConfig,
  ovsPortForLeg,
  parseLegAlias,
  readForwarding,
  readLegs,
  readLinks,
  readOvsTags,
  renderLegSteps,
  rpFilterKey,
  type IpLink,
  type LegContext,
  type LegState,
  type LegStep,
  type LegSteps,
  type LegView,
  type ObservedLeg,
} from './nftables.legs';
export {
  DEFAULT_FAMILY,
  DEFAULT_TABLE,
  EXECUTABLE_PATH,
  ExecutablePathCodec,
  NETNS_NAME,
  NFT_TABLE_NAME,
  NetnsNameCodec,
  NftTableNameCodec,
  NftablesOptionsCodec,
  NftablesOvsLegsCodec,
  OvsLegsCodec,
  type ExecutablePath,
  type NetnsName,
  type NftTableName,
  type NftablesOptions,
  type NftablesOvsLegs,
  type OvsLegs,
} from './nftables.options';
export { DEFAULT_RUN_TIMEOUT_MS, LocalNftRunner, SshNftRunner, shellQuote, type ExecOptions, type LocalNftRunnerOptions, type NftResult, type NftRunner, type NftSystemInfo, type SshNftRunnerOptions } from './nftables.runner';
export { checkKnownHosts, hostKeyVerifier, knownHostsName, sha256Fingerprint, type HostKeyVerifier } from './nftables.host-key';
export { DeviceLock, lockFileFor } from './nftables.lock';
export { MAX_IFNAME, assertRenderable, renderChangeLines, renderChanges, renderTransition, renderableProblems, type RenderOptions } from './nftables.render';
export { parseOwnedTable, readListing, observedConfig, ruleFromExpressions, type ObservedChain, type ObservedReport, type ObservedSet, type ObservedTable } from './nftables.parse';
export * from './nftables.syntax';
export * from './nftables.model';
export { nftRunnerTaps, type NftRunnerTap } from './nftables.taps';
export {
  FOREIGN_TABLE,
  conformanceTargets,
  faultLine,
  nftablesHarness,
  nftablesOvsTarget,
  nftablesTarget,
  type NftDeviceHarness,
  type NftHarnessOptions,
  type NftOvsTargetOptions,
  type NftTargetOptions,
  type NftSimulatorInstance,
  type NftSimulatorTarget,
} from './nftables.conformance';

/** The capability manifest: the firewall port, every capability (legs since port API 1.2). */
export const NFTABLES_SUPPORTS = { firewall: NFTABLES_FIREWALL_CAPABILITIES } as const satisfies CapabilityManifest;

/** The nftables firewall driver for one device (the port factory). */
export function nftablesFirewall(opts: PortFactoryOptions): NftablesDriver {
  return new NftablesDriver(opts);
}

/** The adapter definition (mirrored by `"netloom"` in package.json). */
export const adapter = defineAdapter({
  id: 'nftables',
  vendor: 'netfilter',
  description: 'Linux nftables as a VFW: one owned table, local (optionally in a network namespace) or over SSH.',
  models: { modelPatterns: ['^nftables$'] },
  portApi: '^1.2.0',
  ports: { firewall: nftablesFirewall },
  supports: NFTABLES_SUPPORTS,
  optionsCodec: NftablesOptionsCodec,
});
