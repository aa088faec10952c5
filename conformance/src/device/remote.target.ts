/**
 * `live` and `replay` targets: where the adapter connects for one check, and what happens around it.
 *
 * - live: the lab device of a target file. With `record`, every check's connections go through a local recording
 *   proxy of the target's protocol (`ssh-cli`, `https-json`, `ovsdb`) that trusts the device as the file says and
 *   hands the adapter its own throw-away host key or certificate; the recording is written per check and case,
 *   with a manifest.
 * - replay: no device; a local server of the recorded protocol answers the adapter from the recording of each check.
 *
 * Neither has a device harness. The kit remaps its samples into the target's `allow` (the same way for both, from
 * the target file or the recording's manifest).
 *
 * @packageDocumentation
 */
import { InputError, silentLogger, type AdapterDefinition, type DeviceConfig, type DeviceDriver, type DeviceFacts, type DevicePortKind, type DeviceTarget, type Logger } from '@netloom/ports';
import { ConformanceFailure } from '../kit/check';
import { fitSamples, samplesDigest } from '../record/allow';
import { startHttpsRecordingProxy, startHttpsReplayServer, type EndpointCertificates } from '../record/https.record';
import { startOvsdbRecordingProxy, startOvsdbReplayServer, type OvsdbUpstream } from '../record/ovsdb.record';
import { RecordingRedactor, redactedPlaceholder } from '../record/redact';
import {
  CheckRecording,
  DEFAULT_CASE,
  MANIFEST_FORMAT,
  RECORD_PROTOCOL_BY_ADAPTER,
  kitVersion,
  listSessions,
  readManifest,
  readSession,
  writeManifest,
  type RecordProtocol,
  type RecordingManifest,
} from '../record/recording';
import { ReplayScript } from '../record/replay.engine';
import { startSshRecordingProxy, startSshReplayServer } from '../record/ssh.record';
import { loadTargetFile, namesAdapter, type LoadedTargetFile } from '../record/target-file';
import { makeTestCertificates } from '../simulators/arista-eos/eos.tls';
import type { DeviceSamples } from '../samples/samples';
import type { LiveTarget, ReplayTarget } from './target';

/** The device one check runs against, and how to end it. */
export interface ProvidedDevice {
  readonly target: DeviceTarget;
  readonly options: unknown;
  /**
   * Ends the check's part of the target: stops the proxy or replay server, writes the recording. Returns why the
   * target failed the check (a replay divergence), if it did.
   */
  finish(): Promise<string | undefined>;
}

/** A `live` or `replay` target, prepared for one suite. */
export interface RemoteTarget {
  readonly kind: 'live' | 'replay';
  /** The samples remapped into the target's `allow`. */
  readonly samples: DeviceSamples;
  /** Capabilities the device lacks although the adapter declares them. */
  readonly lacks: readonly string[];
  /** For reports: what the target is (`lab-leaf1 (192.0.2.10)`, `<dir> (recorded <date>)`). */
  readonly description: string;
  /** The recording's manifest (replay) or the one being written (live with record, once the first check ran). */
  manifest(): RecordingManifest | undefined;
  /** The device for one check. */
  create(checkId: string): Promise<ProvidedDevice>;
}

/** What a remote target needs from the suite. */
export interface RemoteTargetContext {
  readonly port: DevicePortKind;
  readonly adapter: AdapterDefinition;
  /** The samples before remapping. */
  readonly samples: DeviceSamples;
  readonly factory: (opts: { target: DeviceTarget; options: unknown; logger: Logger }) => DeviceDriver<DeviceConfig>;
  readonly logger?: Logger;
}

let certificates: Promise<EndpointCertificates> | undefined;

/** One throw-away CA and 127.0.0.1 certificate per process (openssl runs once). */
function endpointCertificates(): Promise<EndpointCertificates> {
  certificates ??= makeTestCertificates({ caName: 'netloom conformance recording CA' });
  return certificates;
}

/** The target and options that point the adapter at a local endpoint instead of the device. */
export function pointAt(
  protocol: RecordProtocol,
  base: DeviceTarget,
  options: unknown,
  endpoint: { readonly host: string; readonly port: number; readonly hostKeyFingerprint?: string; readonly ca?: string },
): { target: DeviceTarget; options: unknown } {
  const o: Record<string, unknown> = { ...((options ?? {}) as Record<string, unknown>) };
  // An explicit port or remote in the options would win over the target's address: drop them.
  delete o['port'];
  const { tls: _tls, hostKey: _hostKey, ...rest } = base;
  const target: DeviceTarget = { ...rest, address: endpoint.host, port: endpoint.port };
  switch (protocol) {
    case 'ssh-cli':
      return { target: { ...target, hostKey: { verify: true, fingerprint: endpoint.hostKeyFingerprint ?? '' } }, options: o };
    case 'https-json':
      return { target: { ...target, tls: { verify: true, ...(endpoint.ca === undefined ? {} : { ca: endpoint.ca }) } }, options: o };
    case 'ovsdb':
      delete o['remote'];
      delete o['tls'];
      return { target, options: o };
  }
}

function ovsdbUpstream(live: LoadedTargetFile): OvsdbUpstream {
  const remote = live.options['remote'];
  if (typeof remote === 'string' && remote.startsWith('unix:')) return { path: remote.slice('unix:'.length) };
  if (typeof remote === 'string' && remote.startsWith('tcp:')) {
    const m = /^tcp:(.*):(\d+)$/.exec(remote);
    if (m !== null) return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  if (live.target.tls !== undefined || (typeof remote === 'string' && remote.startsWith('ssl:'))) {
    throw new InputError(`target file ${live.file}: recording OVSDB over TLS is not supported yet; record over tcp: on a lab network`, [{ path: 'device.tls', reason: 'OVSDB recording needs a tcp: or unix: remote' }]);
  }
  return { host: live.target.address ?? '127.0.0.1', port: live.target.port ?? 6640 };
}

function redactOptions(options: unknown, redactor: RecordingRedactor): unknown {
  return redactor.json(options);
}

/**
 * A live target: the lab device of `spec.file`, optionally recorded to `spec.record`.
 *
 * @throws InputError for an invalid target file, a file for another adapter or port, samples that do not fit
 *   `allow`, or a protocol the kit cannot record
 */
export function liveTarget(spec: LiveTarget, ctx: RemoteTargetContext): RemoteTarget {
  const live = loadTargetFile(spec.file, spec.env ?? process.env);
  for (const s of live.secrets) spec.onSecret?.(s.value);
  const problems: { path: string; reason: string }[] = [];
  if (!namesAdapter(live.spec.adapter, ctx.adapter.id, spec.adapterPackage?.name)) {
    problems.push({ path: 'adapter', reason: `${JSON.stringify(live.spec.adapter)} is not the adapter under test (${spec.adapterPackage?.name ?? ctx.adapter.id})` });
  }
  if (live.spec.port !== ctx.port) problems.push({ path: 'port', reason: `the file is for the ${live.spec.port} port, the kit runs ${ctx.port}` });
  const protocol = live.protocol ?? RECORD_PROTOCOL_BY_ADAPTER[ctx.adapter.id];
  if (spec.record !== undefined && protocol === undefined) {
    problems.push({ path: 'protocol', reason: `required to record adapter ${JSON.stringify(ctx.adapter.id)}: ssh-cli, https-json or ovsdb` });
  }
  if (problems.length > 0) throw InputError.fromProblems(`target file ${spec.file}`, problems);
  const fitted = fitSamples(ctx.samples, live.allow);
  const username = live.target.credentials?.username;
  const redactor = new RecordingRedactor(live.secrets, username);
  const logger = ctx.logger ?? silentLogger;
  let manifest: RecordingManifest | undefined;
  let started: Promise<void> | undefined;

  const readFacts = async (): Promise<DeviceFacts | undefined> => {
    try {
      const session = await ctx.factory({ target: live.target, options: live.options, logger }).connect();
      try {
        return await session.facts();
      } finally {
        await session.close();
      }
    } catch {
      return undefined;
    }
  };

  const start = async (dir: string, p: RecordProtocol): Promise<void> => {
    const facts = await readFacts();
    manifest = {
      format: MANIFEST_FORMAT,
      version: 1,
      adapter: ctx.adapter.id,
      ...(spec.adapterPackage === undefined ? {} : { adapterPackage: spec.adapterPackage.name, adapterVersion: spec.adapterPackage.version }),
      port: ctx.port,
      protocol: p,
      targetKind: 'live',
      recordedAt: new Date().toISOString(),
      kitVersion: kitVersion(),
      device: { name: live.target.name, ...(username === undefined ? {} : { username }), ...(facts === undefined ? {} : { facts: redactor.json(facts) as DeviceFacts }) },
      options: redactOptions(live.options, redactor),
      allow: live.allow,
      ...(live.lacks.length === 0 ? {} : { lacks: live.lacks }),
      samplesDigest: samplesDigest(fitted.samples),
    };
    writeManifest(dir, manifest);
  };

  return {
    kind: 'live',
    samples: fitted.samples,
    lacks: live.lacks,
    description: `${live.target.name} (${live.target.address ?? '?'})${spec.record === undefined ? '' : `, recorded to ${spec.record}`}`,
    manifest: () => manifest,
    async create(checkId) {
      const dir = spec.record;
      if (dir === undefined || protocol === undefined) return { target: live.target, options: live.options, finish: async () => undefined };
      started ??= start(dir, protocol);
      await started;
      const recording = new CheckRecording(protocol, checkId, DEFAULT_CASE);
      const creds = live.target.credentials ?? {};
      let endpoint: { host: string; port: number; hostKeyFingerprint?: string; ca?: string; close(): Promise<void> };
      if (protocol === 'ssh-cli') {
        if (creds.username === undefined) throw new InputError(`target file ${spec.file}: credentials.username is required to record an SSH device`, [{ path: 'credentials.username', reason: 'required' }]);
        endpoint = await startSshRecordingProxy({
          upstream: {
            host: live.target.address ?? '127.0.0.1',
            port: typeof live.options['port'] === 'number' ? live.options['port'] : (live.target.port ?? 22),
            username: creds.username,
            ...(creds.password === undefined ? {} : { password: creds.password }),
            ...(creds.privateKey === undefined ? {} : { privateKey: creds.privateKey }),
            ...(live.target.hostKey?.verify === true && live.target.hostKey.fingerprint !== undefined ? { fingerprint: live.target.hostKey.fingerprint } : {}),
          },
          redactor,
          recording,
        });
      } else if (protocol === 'https-json') {
        endpoint = await startHttpsRecordingProxy({
          upstream: {
            host: live.target.address ?? '127.0.0.1',
            port: live.target.port ?? (typeof live.options['port'] === 'number' ? live.options['port'] : 443),
            verify: live.target.tls?.verify ?? true,
            ...(live.target.tls?.ca === undefined ? {} : { ca: live.target.tls.ca }),
          },
          redactor,
          recording,
          certificates: await endpointCertificates(),
        });
      } else {
        endpoint = await startOvsdbRecordingProxy({ upstream: ovsdbUpstream(live), redactor, recording });
      }
      const pointed = pointAt(protocol, live.target, live.options, endpoint);
      return {
        ...pointed,
        async finish() {
          await endpoint.close();
          recording.write(dir);
          return undefined;
        },
      };
    },
  };
}

/**
 * A replay target: the recording in `spec.dir`.
 *
 * @throws InputError when the manifest is missing or invalid, or is for another adapter, port or samples
 */
export function replayTarget(spec: ReplayTarget, ctx: RemoteTargetContext): RemoteTarget {
  const manifest = readManifest(spec.dir);
  const problems: { path: string; reason: string }[] = [];
  if (manifest.adapter !== ctx.adapter.id) problems.push({ path: 'adapter', reason: `recorded with adapter ${JSON.stringify(manifest.adapter)}, the adapter under test is ${JSON.stringify(ctx.adapter.id)}` });
  if (manifest.port !== ctx.port) problems.push({ path: 'port', reason: `recorded for the ${manifest.port} port, the kit runs ${ctx.port}` });
  if (problems.length > 0) throw InputError.fromProblems(`recording ${spec.dir}`, problems);
  const fitted = fitSamples(ctx.samples, manifest.allow);
  const digest = samplesDigest(fitted.samples);
  if (digest !== manifest.samplesDigest) {
    throw InputError.fromProblems(`recording ${spec.dir}`, [
      { path: 'samplesDigest', reason: `the recording was made with other samples (digest ${manifest.samplesDigest}, these give ${digest}): pass the samples the recording used, or record again` },
    ]);
  }
  const username = manifest.device.username ?? 'netloom';
  const base: DeviceTarget = { name: manifest.device.name, address: '127.0.0.1', credentials: { username, password: redactedPlaceholder('password') } };
  return {
    kind: 'replay',
    samples: fitted.samples,
    lacks: manifest.lacks ?? [],
    description: `${spec.dir} (recorded ${manifest.recordedAt})`,
    manifest: () => manifest,
    async create(checkId) {
      const files = listSessions(spec.dir, checkId, DEFAULT_CASE);
      if (files === undefined) fail(`no recording for check ${checkId} case ${DEFAULT_CASE} in ${spec.dir}: record one with --record against a live target`);
      let sessions;
      try {
        sessions = files.map(readSession);
      } catch (e) {
        fail(`the recording of check ${checkId} case ${DEFAULT_CASE} in ${spec.dir} is unusable: ${e instanceof Error ? e.message : String(e)}`);
      }
      const script = new ReplayScript(checkId, DEFAULT_CASE, spec.dir, sessions);
      let endpoint: { host: string; port: number; hostKeyFingerprint?: string; ca?: string; close(): Promise<void> };
      if (manifest.protocol === 'ssh-cli') endpoint = await startSshReplayServer(script);
      else if (manifest.protocol === 'https-json') endpoint = await startHttpsReplayServer(script, await endpointCertificates());
      else endpoint = await startOvsdbReplayServer(script);
      const pointed = pointAt(manifest.protocol, base, manifest.options, endpoint);
      return {
        ...pointed,
        async finish() {
          const divergence = await script.finish();
          await endpoint.close();
          return divergence;
        },
      };
    },
  };
}

function fail(message: string): never {
  throw new ConformanceFailure(message);
}
