/**
 * `@netloom/conformance/simulators` — protocol-level device simulators (ARCHITECTURE §9, §10).
 *
 * - {@link HuaweiCeSimulator}: a Huawei CloudEngine (VRP8) leaf over SSH — prompts and views, per-session candidate
 *   and two-stage commit (trial, rollback points), VRP error texts with carets, `--More--` paging — with a harness
 *   API for tests and the embedded demo (running configuration, out-of-band changes, statistics, hooks, faults).
 * - The generic CLI device engine it is built on ({@link CliDevice}, the configuration tree, the command grammar,
 *   the datastore), reusable for further CLI dialects.
 *
 * Imports `@netloom/ports`, `@netloom/domain` and npm packages only.
 *
 * @packageDocumentation
 */
export {
  HuaweiCeSimulator,
  createHuaweiCeSimulator,
  type HuaweiCeStats,
  type HuaweiCeEvents,
  type CommitInfo,
} from './huawei-ce/huawei-ce.simulator';
export { HuaweiCeSimulatorOptionsCodec, resolveHuaweiCeOptions, type HuaweiCeSimulatorOptions, type HuaweiCeUser, type ResolvedHuaweiCeOptions } from './huawei-ce/huawei-ce.options';
export { defaultPorts, portRange } from './huawei-ce/huawei-ce.values';
export * as huaweiCeStrings from './huawei-ce/huawei-ce.strings';

export {
  CliDevice,
  toRegExp,
  type CliDeviceOptions,
  type CliDeviceStats,
  type CliDeviceEvents,
  type CliDeviceEmit,
  type CliUser,
  type DeviceEndpoint,
  type DropTiming,
  type FaultHandle,
} from './cli-device/cli-device';
export type { CliDialect, CliSessionInfo, CommandIo, ExecuteResult } from './cli-device/dialect';
export {
  configNode,
  emptyRoot,
  cloneTree,
  treesEqual,
  findChild,
  matchChildren,
  nodeAt,
  ensureChild,
  setChild,
  removeChildren,
  walkTree,
  sortTree,
  renderNode,
  renderTree,
  parseTree,
  diffTrees,
  renderDiff,
  type ConfigNode,
  type ReadonlyConfigNode,
  type LineOrder,
  type RenderOptions,
  type DiffLine,
} from './cli-device/config-tree';
export {
  command,
  intParam,
  wordParam,
  customParam,
  textParam,
  matchCommand,
  splitWords,
  numArg,
  strArg,
  optArg,
  splitPipe,
  applyPipe,
  type ArgValue,
  type Args,
  type ParamResult,
  type SyntaxToken,
  type CommandSpec,
  type ParamDef,
  type Word,
  type MatchFailure,
  type MatchResult,
  type PipeFilter,
  type PipeSplit,
} from './cli-device/grammar';
export {
  ConfigDatastore,
  Candidate,
  systemClock,
  type Clock,
  type ConfigEdit,
  type WriterRef,
  type CommitKind,
  type CommitRecord,
  type PendingTrial,
  type CommitFailure,
  type CommitOutcome,
  type CommitRequest,
  type DatastoreListener,
  type DatastoreOptions,
} from './cli-device/datastore';
export { EventHub, type Listener } from './cli-device/events';
export { generateHostKey, loadHostKey, fingerprintOfPublicKey, type HostKey } from './cli-device/host-key';
export { ShellTerminal, type PagerStyle, type TerminalSink } from './cli-device/terminal';
export * from './arista-eos';
export * from './f5-bigip';
export * from './kube-apiserver';
export * from './ruijie-rgos';
export * from './ovsdb';
export * from './openflow';
