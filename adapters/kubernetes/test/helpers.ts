// Shared test plumbing: the test API server with netloom's CRDs, kubeconfig files, the kit's cluster harnesses (the
// server's test API, or plain REST for a real cluster), a capturing logger, polling.
import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ClusterHarness } from '@netloom/conformance';
import { KubeApiServer, type KubeApiServerOptions } from '@netloom/conformance/simulators';
import { KIND_INFO, KubeApiClient, createKubernetesSource, resourcePath, type KubernetesSource, type KubernetesSourceExtras } from '@netloom/adapter-kubernetes';
import { KUBE_OBJECT_CODECS, NotFoundError, type KubeKind, type KubeObject, type KubeObjectRef, type Logger } from '@netloom/ports';

/** netloom's CRD manifests. */
export const CRD_DIR = resolve(__dirname, '..', '..', '..', 'deploy', 'crds');

/** A running test API server with a kubeconfig file. */
export interface TestCluster {
  readonly api: KubeApiServer;
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Starts the test API server (HTTPS, netloom's CRDs) and writes its kubeconfig to a temp file. */
export async function startCluster(opts: KubeApiServerOptions = {}): Promise<TestCluster> {
  const api = new KubeApiServer({ crdDir: CRD_DIR, bookmarkIntervalMs: 200, ...opts });
  await api.start();
  const dir = await mkdtemp(join(tmpdir(), 'netloom-kube-'));
  const kubeconfigPath = join(dir, 'kubeconfig.yaml');
  await writeFile(kubeconfigPath, api.kubeconfig(), { mode: 0o600 });
  return {
    api,
    kubeconfigPath,
    stop: async () => {
      await api.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** One log line. */
export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly obj: object;
  readonly msg?: string;
}

/** A logger that keeps every line (to assert on warnings and on the absence of secrets). */
export function capturingLogger(): Logger & { readonly lines: LogLine[]; text(): string } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => ({
    debug: (obj, msg) => void lines.push({ level: 'debug', obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) }),
    info: (obj, msg) => void lines.push({ level: 'info', obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) }),
    warn: (obj, msg) => void lines.push({ level: 'warn', obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) }),
    error: (obj, msg) => void lines.push({ level: 'error', obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) }),
    child: (b) => make({ ...bindings, ...b }),
  });
  return Object.assign(make({}), { lines, text: () => lines.map((l) => `${l.level} ${l.msg ?? ''} ${JSON.stringify(l.obj)}`).join('\n') });
}

/** A source on the test cluster's kubeconfig file, with fast backoff. */
export async function sourceFor(c: TestCluster, logger: Logger = capturingLogger(), extras: KubernetesSourceExtras = {}, options: Record<string, unknown> = {}): Promise<KubernetesSource> {
  return createKubernetesSource({ options: { kubeconfig: c.kubeconfigPath, ...options }, logger }, { backoff: { initialMs: 20, maxMs: 200 }, ...extras });
}

/** The kit's kubectl through the test API server's test API. */
export function serverHarness(api: KubeApiServer): ClusterHarness {
  return {
    put: async (objects) => void (await api.put(objects)),
    remove: async (refs) => void (await api.remove(refs)),
    read: async (ref) => decode(api.get(ref)),
    events: async (ref) => api.events(ref).map((e) => ({ type: e.type, reason: e.reason, message: e.message })),
  };
}

function decode(raw: Record<string, unknown> | undefined): KubeObject | undefined {
  if (raw === undefined) return undefined;
  const codec = KUBE_OBJECT_CODECS[raw['kind'] as KubeKind];
  const r = codec.decode(raw);
  assert.ok(r._tag === 'Right', `${String(raw['kind'])} does not decode`);
  return r.right;
}

const PAUSE = { name: 'pause', image: 'registry.k8s.io/pause:3.9' };

/**
 * The kit's kubectl over plain REST (for a real cluster): create or replace, delete, get, and the core/v1 events
 * about an object. Pods without containers get a pause container; `status` given to put is not written.
 */
export async function restHarness(kubeconfigPath: string, context?: string): Promise<ClusterHarness & { close(): void }> {
  const client = await KubeApiClient.create({ kind: 'file', path: kubeconfigPath, ...(context === undefined ? {} : { context }) });
  const pathOf = (kind: string, ns: string | undefined, name?: string): string => resourcePath(kind as KubeKind, { ...(ns === undefined ? {} : { namespace: ns }), ...(name === undefined ? {} : { name }) });
  const get = async (kind: string, ns: string | undefined, name: string): Promise<Record<string, unknown> | undefined> => {
    try {
      return (await client.request({ method: 'GET', path: pathOf(kind, ns, name) })) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  };
  return {
    close: () => client.close(),
    put: async (objects) => {
      for (const o of objects) {
        const kind = String(o['kind']) as KubeKind;
        const meta = o['metadata'] as { name: string; namespace?: string };
        const info = KIND_INFO[kind];
        const { status: _status, ...body0 } = o;
        let body: Record<string, unknown> = { ...body0, apiVersion: info.group === '' ? info.version : `${info.group}/${info.version}` };
        if (kind === 'Pod') {
          const spec = (body['spec'] ?? {}) as Record<string, unknown>;
          body = { ...body, spec: { containers: [PAUSE], ...spec } };
        }
        const current = await get(kind, meta.namespace, meta.name);
        if (current === undefined) await client.request({ method: 'POST', path: pathOf(kind, meta.namespace), body });
        else {
          const cm = current['metadata'] as Record<string, unknown>;
          const annotations = (body['metadata'] as Record<string, unknown>)['annotations'] ?? cm['annotations'];
          await client.request({ method: 'PUT', path: pathOf(kind, meta.namespace, meta.name), body: { ...current, ...body, metadata: { ...(body['metadata'] as object), ...(annotations === undefined ? {} : { annotations }), resourceVersion: cm['resourceVersion'] } } });
        }
      }
    },
    remove: async (refs) => {
      for (const r of refs) {
        try {
          await client.request({ method: 'DELETE', path: pathOf(r.kind, r.namespace, r.name) });
        } catch (err) {
          if (!(err instanceof NotFoundError)) throw err;
        }
      }
    },
    read: async (ref) => {
      const raw = await get(ref.kind, ref.namespace, ref.name);
      return raw === undefined ? undefined : decode({ ...raw, kind: ref.kind });
    },
    events: async (ref: KubeObjectRef) => {
      const list = (await client.request({
        method: 'GET',
        path: resourcePath('Event', { namespace: ref.namespace ?? 'default' }),
        query: { fieldSelector: `involvedObject.kind=${ref.kind},involvedObject.name=${ref.name}` },
      })) as { items: { type?: string; reason?: string; message?: string }[] };
      return list.items.map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }));
    },
  };
}

/** Waits (polling) until `cond` holds. */
export async function eventually(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
