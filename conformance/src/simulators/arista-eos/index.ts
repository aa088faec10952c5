/**
 * The Arista EOS simulator: an eAPI (JSON-RPC 2.0 over HTTPS) server in front of a simulated leaf switch with
 * EOS's configuration modes, configuration sessions, commit timers and error codes (PROTOCOLS.md §3), plus the
 * test helpers its users need (`makeTestCertificates`).
 *
 * @example
 * import { makeTestCertificates, startEosSimulator } from '@netloom/conformance/simulators';
 * const sim = await startEosSimulator({ tls: await makeTestCertificates(), users: { ops: { password: 'pw', role: 'network-admin' } } });
 *
 * @packageDocumentation
 */
export { startEosSimulator, type DropOptions as EosDropOptions, type EosSimulator, type EosSimulatorOptions } from './eos.server';
export { EosDevice, type EosCommand, type EosDeviceOptions, type EosEvent, type EosStats, type EosUser, type RunResult as EosRunResult } from './eos.device';
export { makeTestCertificates, type TestCertificateOptions, type TestCertificates } from './eos.tls';
export { EOS_TEXT, type ModeKind as EosModeKind } from './eos.config';
export { parseConfig as parseEosConfig, renderConfig as renderEosConfig, type EosNode } from './eos.tree';
export { unifiedDiff as eosUnifiedDiff } from './eos.diff';
export type { EosFacts, SessionView as EosSessionView } from './eos.shows';
