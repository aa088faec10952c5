/**
 * `@netloom/cli-session` — interactive CLI sessions over SSH for device adapters (Huawei VRP8, Ruijie RGOS, H3C
 * Comware ...): prompts and views, paging, confirmations, device error lines, timeouts, reconnects, redacted
 * transcripts and deterministic replay.
 *
 * @packageDocumentation
 */
export {
  CliSession,
  openReplaySession,
  type CliTimeouts,
  type CliReconnectPolicy,
  type CliSessionOptions,
  type CliSshOptions,
  type CliRunOptions,
  type CliRunResult,
  type CliSessionState,
  type ReplaySessionOptions,
} from './session';
export {
  defineDialect,
  resolveDialect,
  matchPrompt,
  hasControlCharacter,
  DEFAULT_COMMAND_TIMEOUT_MS,
  type CliDialect,
  type CliAnswer,
  type CliErrorPattern,
  type CliPager,
  type CliCleanupRule,
  type CliPostLoginCommand,
  type PromptMatch,
  type ResolvedDialect,
} from './dialect';
export {
  CliCommandError,
  CliCommitError,
  CliLockedError,
  ReplayDivergedError,
  cliRejection,
  isCliRejection,
  type CliErrorKind,
  type CliRejection,
  type CliRejectionInit,
} from './errors';
export {
  sha256Fingerprint,
  keyTypeOf,
  parseKnownHosts,
  knownHostsName,
  hostMatches,
  checkKnownHosts,
  hostKeyCheck,
  type HostKeyPolicy,
  type HostKeyCheck,
  type KnownHostsEntry,
} from './host-key';
export { cleanLine, Screen, Redactor, matchesRedacted, type CleanupRule } from './terminal';
export {
  transcriptToJson,
  transcriptFromJson,
  TranscriptRecorder,
  TranscriptEntryCodec,
  CliTranscriptCodec,
  TranscriptEvent,
  TRANSCRIPT_FORMAT,
  DEFAULT_MAX_TRANSCRIPT_ENTRIES,
  type CliTranscript,
  type TranscriptEntry,
  type TranscriptDirection,
} from './transcript';
export { type CliTransport, type CliTransportSink } from './transport';
export { SshTransport, targetName, HOST_KEY_REJECTED, type SshTransportOptions, type PtyOptions } from './ssh.transport';
export { ReplayTransport, type ReplayTransportOptions } from './replay.transport';
