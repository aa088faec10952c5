/**
 * The lab daemon: one detached process (in the management namespace, started by `netloom lab up`, its PID in the
 * state file) that runs the in-process Kubernetes API server (`KubeApiServer` of @netloom/conformance, on the
 * management address, HTTPS with a certificate for that address) and the netloom controller loop (`run`) against
 * it with the lab profile. The CLI talks to it over the control socket ({@link LabControl}).
 *
 * With a profile whose source is a scenario (`lab up --source scenario`), the controller reads the scenario source
 * instead: one source for the daemon's life (a reload keeps what was applied to it), the control socket applies to
 * and reads from it, and what netloom-cni reads of it (Namespaces, Subnets, Pods with the annotations the controller
 * writes) is mirrored into the API server, which then only serves netloom-cni.
 *
 * `node lab.daemon.js <lab dir>`; writes `mgmt/ready.json` once the API server and the control socket are up.
 * SIGTERM, SIGINT or `/stop` end it: the controller loop, the control socket, the API server, in that order.
 * @packageDocumentation
 */
import 'reflect-metadata';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as http from 'node:http';
import { KubeApiServer } from '@netloom/conformance/simulators';
import { ScenarioSource } from '@netloom/adapter-scenario';
import { InputError, KUBE_KINDS, type KubeKind, type KubeObject as PortKubeObject, type KubernetesPort, type Logger } from '@netloom/ports';
import { loadProfileAdapters } from '../adapters/loader';
import { createContainer, disposeContainer } from '../container';
import { Controller } from '../controller/controller';
import { openKubernetesSource } from '../controller/source';
import { createLogger } from '../logger';
import { loadProfile } from '../profile/profile.loader';
import { SecretRegistry } from '../secrets';
import { makeLabCertificates } from './lab.certs';
import { serveControl, type DaemonStatus, type KubeObject } from './lab.control';
import { API_PORT, MGMT_IP, labFiles } from './lab.topology';

/** Finds deploy/crds above this file (the repository). */
function crdDir(): string | undefined {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'deploy', 'crds');
    if (fs.existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function kubeKind(kind: string): KubeKind {
  if (!(KUBE_KINDS as readonly string[]).includes(kind)) throw new InputError(`lab daemon: unknown kind ${JSON.stringify(kind)} (one of ${KUBE_KINDS.join(', ')})`);
  return kind as KubeKind;
}

/**
 * Mirrors what netloom-cni reads of the scenario source into the API server, in order: Namespaces (a Pod needs its
 * own), Subnets (the plugin reads the gateway of its pod's subnet) and Pods (with the allocation annotations the
 * controller writes), each put as the scenario holds it. Returns the function that stops it.
 */
async function mirrorForCni(scenario: ScenarioSource, api: KubeApiServer, logger: Logger): Promise<() => void> {
  let chain = Promise.resolve();
  return scenario.watch({ kinds: ['Namespace', 'Subnet', 'Pod'] }, (event) => {
    const o: PortKubeObject = event.object;
    const { namespace, name, labels, annotations } = o.metadata;
    const meta = { ...(labels !== undefined ? { labels } : {}), ...(annotations !== undefined ? { annotations } : {}) };
    chain = chain
      .then(async () => {
        if (event.type === 'deleted') {
          await api.remove([{ kind: o.kind, ...(namespace !== undefined ? { namespace } : {}), name }]);
          return;
        }
        if (o.kind === 'Namespace') {
          await api.put([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...meta } }]);
          return;
        }
        if (o.kind === 'Subnet') {
          await api.put([{ apiVersion: 'netloom.io/v1alpha1', kind: 'Subnet', metadata: { name, ...meta }, spec: (o as { spec?: unknown }).spec }]);
          return;
        }
        const spec = (o as { spec?: Record<string, unknown> }).spec ?? {};
        const status = (o as { status?: Record<string, unknown> }).status;
        await api.put([
          {
            apiVersion: 'v1',
            kind: 'Pod',
            metadata: { namespace, name, ...meta },
            // The scenario source keeps only what netloom reads of a Pod's spec; the API server wants containers.
            spec: { ...spec, containers: [{ name: 'app', image: 'netloom-lab' }] },
            ...(status !== undefined ? { status } : {}),
          },
        ]);
      })
      .catch((e: unknown) => logger.warn({ err: e instanceof Error ? e.message : String(e), object: `${o.kind} ${namespace ?? ''}/${name}` }, 'lab daemon: could not mirror an object of the scenario into the API server'));
  });
}

/**
 * Runs the daemon for the lab in `dir` until it is stopped.
 * @example await runLabDaemon('/run/netloom-lab');
 */
export async function runLabDaemon(dir: string): Promise<void> {
  const files = labFiles(dir);
  const secrets = new SecretRegistry();
  const logger: Logger = createLogger({ level: process.env['NETLOOM_LOG_LEVEL'] ?? 'info', secrets });
  const tls = await makeLabCertificates([MGMT_IP, '127.0.0.1']);
  const crds = crdDir();
  const api = new KubeApiServer({ ...(crds !== undefined ? { crdDir: crds } : {}), tls, host: MGMT_IP, port: API_PORT });
  await api.start();
  secrets.add(api.token);
  fs.writeFileSync(files.kubeconfigYaml, api.kubeconfig(), { mode: 0o600 });
  fs.writeFileSync(files.kubeconfigJson, JSON.stringify(api.kubeconfigObject()), { mode: 0o600 });

  const status: DaemonStatus = {
    pid: process.pid,
    passes: 0,
    generation: 0,
    transactions: [],
    lastError: null,
    loopError: null,
    failingDevices: [],
    passMs: [],
    deviceOutcomes: {},
  };
  let stopping = false;
  let current: AbortController | undefined;
  let wake: (() => void) | undefined;
  const stop = (): void => {
    stopping = true;
    current?.abort();
    wake?.();
  };

  // The scenario source, when the profile names one: opened once (it holds what the lab applied), played to its end.
  // (A profile that does not load is the controller loop's to report, as after a reload.)
  const initial = (() => {
    try {
      return loadProfile(files.profile);
    } catch {
      return undefined;
    }
  })();
  const scenario = initial !== undefined && 'scenario' in initial.profile.sources.kubernetes ? await openKubernetesSource(initial.profile, logger) : undefined;
  if (scenario !== undefined && !(scenario instanceof ScenarioSource)) throw new InputError('lab daemon: the scenario source is not a ScenarioSource');
  const stopMirror = scenario === undefined ? undefined : await mirrorForCni(scenario, api, logger);

  const server: http.Server = await serveControl(files.control, {
    put: async (objects: KubeObject[]) => void (scenario !== undefined ? scenario.applyNow({ apply: objects }, 'lab put') : await api.put(objects)),
    remove: async (refs: KubeObject[]) => {
      if (scenario === undefined) {
        await api.remove(refs as never);
        return;
      }
      // The scenario refuses a reference to an object it does not hold; the API server skips those: so does the lab.
      const held = refs.filter((r) => scenario.objects(kubeKind(String(r['kind']))).some((o) => o.metadata.name === r['name'] && o.metadata.namespace === r['namespace']));
      if (held.length > 0) scenario.applyNow({ delete: held.map((r) => ({ kind: r['kind'], name: r['name'], ...(r['namespace'] !== undefined ? { namespace: r['namespace'] } : {}) })) }, 'lab remove');
    },
    list: (kind, namespace) =>
      scenario !== undefined
        ? (scenario.objects(kubeKind(kind)).filter((o) => namespace === undefined || o.metadata.namespace === namespace) as unknown as KubeObject[])
        : (api.list(kind, namespace !== undefined ? { namespace } : {}) as unknown as KubeObject[]),
    reload: () => current?.abort(),
    status: (): DaemonStatus => structuredClone(status),
    stop,
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  fs.writeFileSync(files.ready, JSON.stringify({ pid: process.pid, api: api.endpoint.url }));
  logger.info({ api: api.endpoint.url }, 'lab daemon ready');

  // The controller loop; a reload (node added or removed) aborts it and starts it again with the new profile.
  while (!stopping) {
    const abort = new AbortController();
    current = abort;
    status.generation++;
    let source: KubernetesPort | undefined;
    let container: ReturnType<typeof createContainer> | undefined;
    try {
      const loaded = loadProfile(files.profile);
      const registry = await loadProfileAdapters(loaded);
      container = createContainer({ loaded, adapters: registry, logger, secrets });
      source = scenario ?? (await openKubernetesSource(loaded.profile, logger));
      const controller = await Controller.create({ container, source });
      await controller.run({
        signal: abort.signal,
        onReport: (r) => {
          status.passes++;
          status.loopError = null;
          status.transactions.push(r.devices.filter((d) => d.outcome !== 'unchanged').length);
          status.passMs.push(Date.parse(r.finishedAt) - Date.parse(r.startedAt));
          // Bounded: a lab left running for days must not grow the daemon without end.
          if (status.transactions.length > 1000) status.transactions.shift();
          if (status.passMs.length > 1000) status.passMs.shift();
          for (const d of r.devices) {
            if (d.outcome === 'unchanged') continue;
            const counts = (status.deviceOutcomes[d.device] ??= {});
            counts[d.outcome] = (counts[d.outcome] ?? 0) + 1;
          }
          status.failingDevices = r.devices.filter((d) => d.outcome === 'failed' || d.outcome === 'compensated' || d.outcome === 'skipped').map((d) => d.device);
          for (const d of r.devices) if (d.error !== undefined) status.lastError = `${d.device}: ${d.error.message}`;
        },
      });
    } catch (e) {
      status.lastError = e instanceof Error ? e.message : String(e);
      // An abort (reload, stop) may surface as an error of the loop: that is no failure of the controller.
      if (!abort.signal.aborted) status.loopError = status.lastError;
      logger.error({ err: e }, 'lab daemon: the controller loop failed; starting it again');
      if (!abort.signal.aborted) await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    } finally {
      if (source !== scenario) await source?.close().catch(() => undefined);
      if (container !== undefined) await disposeContainer(container).catch(() => undefined);
    }
  }
  await new Promise<void>((r) => server.close(() => r()));
  stopMirror?.();
  await scenario?.close().catch(() => undefined);
  await api.stop();
  fs.rmSync(files.control, { force: true });
  logger.info({ dir }, 'lab daemon stopped');
  await sleep(10);
}

if (require.main === module) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: node lab.daemon.js <lab dir>\n');
    process.exit(2);
  }
  runLabDaemon(dir).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`lab daemon failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
