/**
 * `KubernetesSource`: the kubernetes port over a real API server (or the test API server): informers per kind with
 * a local cache for `list` and `watch`, merge-patch write-back of annotations and status, core/v1 Events, and
 * coordination.k8s.io Leases with `leaseTransitions` as the fencing token.
 *
 * @packageDocumentation
 */
import { hostname } from 'node:os';
import * as t from 'io-ts';
import {
  parseLabelSelector,
  ConflictError,
  DeviceConnectionError,
  DeviceProtocolError,
  InputError,
  KubeKindCodec,
  NotFoundError,
  ServiceStatusCodec,
  SubnetStatusCodec,
  VpcPeeringStatusCodec,
  SecurityGroupStatusCodec,
  decodeOrThrow,
  discriminated,
  intInRange,
  silentLogger,
  struct,
  type AcquireLeaseOptions,
  type InputProblem,
  type KubeKind,
  type KubeListOptions,
  type KubeListResult,
  type KubeObject,
  type KubeObjectOf,
  type KubeStatusByKind,
  type KubeWatchHandler,
  type KubeWatchOptions,
  type KubeWatchStop,
  type KubernetesPort,
  type LeaseState,
  type Logger,
  type PatchAnnotationsOptions,
  type PatchStatusOptions,
  type PortCapabilities,
  type RecordEventOptions,
} from '@netloom/ports';
import { statusCodeOf, type KubeApiClient } from './kube-client';
import { KindInformer, type BackoffOptions, type InformerState } from './kube-informer';
import { apiVersionOfKind, describeObject, isNamespacedKind, resourcePath, type KIND_INFO } from './kube-kinds';

/** What the adapter supports: everything the port names. */
export const KUBERNETES_CAPABILITIES = { watch: true, statusWrite: true, annotationWrite: true, events: true, leases: true } as const satisfies PortCapabilities<'kubernetes'>;

/** Longest event message sent (the port's limit); longer ones are cut. */
export const MAX_EVENT_MESSAGE = 1024;

/** Options of {@link KubernetesSource} beyond the adapter options. */
export interface KubernetesSourceOptions {
  readonly logger?: Logger;
  /** Watch namespaced kinds in this namespace only. */
  readonly namespace?: string;
  /** Re-list every kind this often (seconds; 0 or absent: never). */
  readonly resyncSec?: number;
  /** Backoff of watch restarts and re-lists (default 250 ms doubling to 30 s). */
  readonly backoff?: BackoffOptions;
  /** The server-side timeout asked for each watch (default 300–600 s, random). */
  readonly watchTimeoutSec?: number;
  /** The clock for lease times and expiry (default `Date.now`). */
  readonly now?: () => number;
  /** `reportingInstance` of events (default the host name). */
  readonly instance?: string;
}

/** A snapshot of what the source knows, for a support case (no credentials). */
export interface KubernetesDiagnostics {
  readonly server: string;
  readonly closed: boolean;
  readonly namespace?: string;
  readonly informers: readonly InformerState[];
}

const NonEmpty = new t.Type<string, string, unknown>(
  'non-empty string',
  (u): u is string => typeof u === 'string' && u !== '',
  (u, c) => (typeof u === 'string' && u !== '' ? t.success(u) : t.failure(u, c, typeof u === 'string' ? 'must not be empty' : `expected a string, got ${typeof u}`)),
  t.identity,
);
const ListOptionsCodec = struct('list options', { kind: KubeKindCodec }, { namespace: NonEmpty, labelSelector: t.string });
const WatchOptionsCodec = struct('watch options', { kinds: t.readonlyArray(KubeKindCodec, 'list of kinds') }, { namespace: NonEmpty, onError: t.Function });
const AnnotatableKindCodec = t.keyof({ Namespace: null, Node: null, Pod: null, Service: null }, '"Namespace" | "Node" | "Pod" | "Service"');
const PatchAnnotationsCodec = struct(
  'patchAnnotations options',
  { kind: AnnotatableKindCodec, name: NonEmpty, annotations: t.record(t.string, t.union([t.string, t.null], 'a string or null'), 'map of annotations') },
  { namespace: NonEmpty, resourceVersion: NonEmpty },
);
const statusCodecs = { Subnet: SubnetStatusCodec, VpcPeering: VpcPeeringStatusCodec, SecurityGroup: SecurityGroupStatusCodec, Service: ServiceStatusCodec } as const;
const patchStatusMember = <K extends keyof typeof statusCodecs>(kind: K) =>
  struct(`patchStatus options (${kind})`, { kind: t.literal(kind), name: NonEmpty, status: statusCodecs[kind] }, { namespace: NonEmpty });
const PatchStatusCodec = discriminated('patchStatus options', 'kind', {
  Subnet: patchStatusMember('Subnet'),
  VpcPeering: patchStatusMember('VpcPeering'),
  SecurityGroup: patchStatusMember('SecurityGroup'),
  Service: patchStatusMember('Service'),
});
const ObjectRefCodec = struct('object reference', { kind: KubeKindCodec, name: NonEmpty }, { namespace: NonEmpty, uid: t.string });
const RecordEventCodec = struct(
  'recordEvent options',
  { regarding: ObjectRefCodec, type: t.keyof({ Normal: null, Warning: null }, '"Normal" | "Warning"'), reason: NonEmpty, message: t.string },
  { action: t.string },
);
const LeaseRefCodec = struct('lease', { namespace: NonEmpty, name: NonEmpty, holder: NonEmpty }, {});
const AcquireLeaseCodec = struct('acquireLease options', { namespace: NonEmpty, name: NonEmpty, holder: NonEmpty, durationSec: intInRange('DurationSec', 1, 86_400) }, {});

const nullable = <C extends t.Mixed>(c: C) => t.union([c, t.null]);
/** The Lease fields netloom reads (unknown fields dropped; the API server may send nulls). */
const LeaseCodec = struct(
  'Lease',
  { metadata: struct('LeaseMeta', { resourceVersion: t.string }, {}, { unknownFields: 'strip' }) },
  {
    spec: struct(
      'LeaseSpec',
      {},
      { holderIdentity: nullable(t.string), leaseDurationSeconds: nullable(t.number), acquireTime: nullable(t.string), renewTime: nullable(t.string), leaseTransitions: nullable(t.number) },
      { unknownFields: 'strip' },
    ),
  },
  { unknownFields: 'strip' },
);
type Lease = t.TypeOf<typeof LeaseCodec>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function namespaceProblems(kind: KubeKind, namespace: string | undefined, path = 'namespace'): InputProblem[] {
  if (isNamespacedKind(kind) && namespace === undefined) return [{ path, reason: `required (${kind} is namespaced)` }];
  if (!isNamespacedKind(kind) && namespace !== undefined) return [{ path, reason: `${kind} is cluster-scoped: leave it out` }];
  return [];
}

function decodeWithChecks<A>(codec: t.Type<A, unknown, unknown>, value: unknown, subject: string, check: (a: A) => InputProblem[]): A {
  const a = decodeOrThrow(codec, value, subject);
  const problems = check(a);
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
  return a;
}

/** Paths present in `given` that `decoded` dropped (fields the codec does not define). */
function droppedPaths(given: unknown, decoded: unknown, path = ''): string[] {
  if (Array.isArray(given) && Array.isArray(decoded)) return given.flatMap((g, i) => droppedPaths(g, decoded[i], `${path}[${i}]`));
  if (!isRecord(given) || !isRecord(decoded)) return [];
  return Object.keys(given).flatMap((k) => (given[k] === undefined ? [] : k in decoded ? droppedPaths(given[k], decoded[k], path === '' ? k : `${path}.${k}`) : [path === '' ? k : `${path}.${k}`]));
}

/** Kubernetes MicroTime: RFC 3339 with microseconds (`2024-05-01T10:00:00.000000Z`). */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

const sortObjects = <T extends KubeObject>(xs: T[]): T[] =>
  xs.sort((a, b) => {
    const na = a.metadata.namespace ?? '';
    const nb = b.metadata.namespace ?? '';
    return na < nb ? -1 : na > nb ? 1 : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });

/** The kubernetes port over an API server. */
export class KubernetesSource implements KubernetesPort {
  readonly capabilities = KUBERNETES_CAPABILITIES;
  private readonly logger: Logger;
  private readonly informers = new Map<KubeKind, KindInformer>();
  private readonly now: () => number;
  private closed = false;

  constructor(
    private readonly client: KubeApiClient,
    private readonly o: KubernetesSourceOptions = {},
  ) {
    this.logger = (o.logger ?? silentLogger).child({ adapter: 'kubernetes' });
    this.now = o.now ?? Date.now;
  }

  /** The API server URL (no credentials). */
  get server(): string {
    return this.client.server;
  }

  /** What the source knows now: informers, their resourceVersions, object counts, last errors. */
  diagnostics(): KubernetesDiagnostics {
    return { server: this.client.server, closed: this.closed, ...(this.o.namespace === undefined ? {} : { namespace: this.o.namespace }), informers: [...this.informers.values()].map((i) => i.state()) };
  }

  private assertOpen(op: string): void {
    if (this.closed) throw new DeviceConnectionError(`the kubernetes source for ${this.client.server} is closed (${op})`);
  }

  private informer(kind: KubeKind): KindInformer {
    let i = this.informers.get(kind);
    if (i === undefined) {
      i = new KindInformer(kind, this.client, {
        logger: this.logger,
        ...(this.o.namespace !== undefined && isNamespacedKind(kind) ? { namespace: this.o.namespace } : {}),
        ...(this.o.resyncSec === undefined ? {} : { resyncSec: this.o.resyncSec }),
        ...(this.o.backoff === undefined ? {} : { backoff: this.o.backoff }),
        ...(this.o.watchTimeoutSec === undefined ? {} : { watchTimeoutSec: this.o.watchTimeoutSec }),
      });
      this.informers.set(kind, i);
    }
    return i;
  }

  // --- reads -------------------------------------------------------------------------------------------------------

  async list<K extends KubeKind>(opts: KubeListOptions<K>): Promise<KubeListResult<K>> {
    this.assertOpen('list');
    const o = decodeOrThrow(ListOptionsCodec, opts, 'list options');
    const matches = parseLabelSelector(o.labelSelector ?? '');
    const inf = this.informer(o.kind);
    await inf.ensureSynced();
    this.assertOpen('list');
    const items = inf.objects().filter((x) => (o.namespace === undefined || !isNamespacedKind(x.kind) || x.metadata.namespace === o.namespace) && matches(x.metadata.labels));
    return { items: sortObjects(items) as KubeObjectOf<K>[], resourceVersion: inf.resourceVersion };
  }

  async watch(opts: KubeWatchOptions, handler: KubeWatchHandler): Promise<KubeWatchStop> {
    this.assertOpen('watch');
    const o = decodeWithChecks(WatchOptionsCodec, opts, 'watch options', (w) => (w.kinds.length === 0 ? [{ path: 'kinds', reason: 'give at least one kind' }] : []));
    if (typeof handler !== 'function') throw new InputError('watch needs a handler function', [{ path: 'handler', reason: 'required (a function)' }]);
    const kinds = [...new Set(o.kinds)];
    await Promise.all(kinds.map((k) => this.informer(k).ensureSynced()));
    this.assertOpen('watch');
    // Synchronously from here: every informer hands over its cache and subscribes before any new event can run.
    const removers = kinds.map((k) =>
      this.informer(k).subscribe({ ...(o.namespace === undefined ? {} : { namespace: o.namespace }), handler, ...(opts.onError === undefined ? {} : { onError: opts.onError }) }, sortObjects),
    );
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      for (const r of removers) r();
    };
  }

  // --- writes ------------------------------------------------------------------------------------------------------

  /** Sends a write; a NotFoundError names the object. */
  private async write(kind: keyof typeof KIND_INFO, ref: { readonly namespace?: string; readonly name: string }, send: () => Promise<unknown>): Promise<unknown> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`${describeObject(kind, ref.namespace, ref.name)} not found (${err.message})`, { details: { ...err.details, kind, namespace: ref.namespace, name: ref.name }, cause: err });
      if (err instanceof ConflictError) throw new ConflictError(`${describeObject(kind, ref.namespace, ref.name)} changed since it was read: read it again and retry (${err.message})`, { details: { ...err.details, kind, namespace: ref.namespace, name: ref.name }, cause: err });
      throw err;
    }
  }

  async patchAnnotations(opts: PatchAnnotationsOptions): Promise<void> {
    this.assertOpen('patchAnnotations');
    const o = decodeWithChecks(PatchAnnotationsCodec, opts, 'patchAnnotations options', (p) => [
      ...namespaceProblems(p.kind, p.namespace),
      ...Object.keys(p.annotations)
        .filter((k) => k === '')
        .map(() => ({ path: 'annotations', reason: 'an annotation key must not be empty' })),
    ]);
    const reply = await this.write(o.kind, o, () =>
      this.client.request({
        method: 'PATCH',
        path: resourcePath(o.kind, { ...(o.namespace === undefined ? {} : { namespace: o.namespace }), name: o.name }),
        contentType: 'application/merge-patch+json',
        // The resourceVersion in a merge patch is a precondition: the API server answers 409 unless it is current.
        body: { metadata: { annotations: o.annotations, ...(o.resourceVersion === undefined ? {} : { resourceVersion: o.resourceVersion }) } },
      }),
    );
    this.informers.get(o.kind)?.observe(reply);
  }

  async patchStatus<K extends keyof KubeStatusByKind>(opts: PatchStatusOptions<K>): Promise<void> {
    this.assertOpen('patchStatus');
    const o = decodeWithChecks(PatchStatusCodec, opts, 'patchStatus options', (p) => [
      ...namespaceProblems(p.kind, p.namespace),
      ...droppedPaths((opts as { status?: unknown }).status, p.status).map((path) => ({ path: `status.${path}`, reason: `unknown field (the ${p.kind} status has no such field)` })),
    ]);
    const reply = await this.write(o.kind, o, () =>
      this.client.request({
        method: 'PATCH',
        path: resourcePath(o.kind, { ...(o.namespace === undefined ? {} : { namespace: o.namespace }), name: o.name, subresource: 'status' }),
        contentType: 'application/merge-patch+json',
        body: { status: o.status },
      }),
    );
    this.informers.get(o.kind)?.observe(reply);
  }

  async recordEvent(opts: RecordEventOptions): Promise<void> {
    this.assertOpen('recordEvent');
    const o = decodeWithChecks(RecordEventCodec, opts, 'recordEvent options', (e) => namespaceProblems(e.regarding.kind, e.regarding.namespace, 'regarding.namespace'));
    const r = o.regarding;
    const uid = r.uid ?? this.informers.get(r.kind)?.objects().find((x) => x.metadata.name === r.name && x.metadata.namespace === r.namespace)?.metadata.uid;
    // Events about cluster-scoped objects go to `default`, as client-go's recorder does.
    const ns = r.namespace ?? 'default';
    const time = new Date(this.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const message = o.message.length > MAX_EVENT_MESSAGE ? o.message.slice(0, MAX_EVENT_MESSAGE) : o.message;
    await this.client.request({
      method: 'POST',
      path: resourcePath('Event', { namespace: ns }),
      body: {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${r.name}.`, namespace: ns },
        involvedObject: { apiVersion: apiVersionOfKind(r.kind), kind: r.kind, name: r.name, ...(r.namespace === undefined ? {} : { namespace: r.namespace }), ...(uid === undefined ? {} : { uid }) },
        reason: o.reason,
        message,
        type: o.type,
        ...(o.action === undefined ? {} : { action: o.action }),
        source: { component: 'netloom' },
        reportingComponent: 'netloom.io/netloom',
        reportingInstance: this.o.instance ?? hostname(),
        firstTimestamp: time,
        lastTimestamp: time,
        count: 1,
      },
    });
  }

  // --- leases ------------------------------------------------------------------------------------------------------

  private async readLease(namespace: string, name: string): Promise<Lease | undefined> {
    try {
      const raw = await this.client.request({ method: 'GET', path: resourcePath('Lease', { namespace, name }) });
      const r = LeaseCodec.decode(raw);
      if (r._tag === 'Left') throw new DeviceProtocolError(`Lease ${namespace}/${name}: the API server answered something that is not a Lease`);
      return r.right;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  private held(spec: Lease['spec']): boolean {
    const holder = spec?.holderIdentity;
    const renew = spec?.renewTime;
    const duration = spec?.leaseDurationSeconds;
    if (typeof holder !== 'string' || holder === '' || typeof renew !== 'string' || typeof duration !== 'number') return false;
    const at = Date.parse(renew);
    return Number.isFinite(at) && this.now() < at + duration * 1000;
  }

  async acquireLease(opts: AcquireLeaseOptions): Promise<LeaseState> {
    this.assertOpen('acquireLease');
    const o = decodeOrThrow(AcquireLeaseCodec, opts, 'acquireLease options');
    const now = microTime(this.now());
    const path = resourcePath('Lease', { namespace: o.namespace });
    const lease = await this.readLease(o.namespace, o.name);
    const lost = (err: unknown): never => {
      if (err instanceof ConflictError) throw new ConflictError(`Lease ${o.namespace}/${o.name}: another replica changed it first (lost a race: try again later)`, { details: err.details, cause: err });
      throw err;
    };
    if (lease === undefined) {
      const spec = { holderIdentity: o.holder, leaseDurationSeconds: o.durationSec, acquireTime: now, renewTime: now, leaseTransitions: 1 };
      await this.client
        .request({ method: 'POST', path, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace }, spec } })
        .catch(lost);
      return { acquired: true, holder: o.holder, renewTime: now, durationSec: o.durationSec, transitions: 1 };
    }
    const spec = lease.spec ?? {};
    const transitions = typeof spec.leaseTransitions === 'number' ? spec.leaseTransitions : 0;
    const holder = typeof spec.holderIdentity === 'string' && spec.holderIdentity !== '' ? spec.holderIdentity : undefined;
    if (this.held(spec) && holder !== o.holder) {
      return { acquired: false, holder: holder!, ...(typeof spec.renewTime === 'string' ? { renewTime: spec.renewTime } : {}), ...(typeof spec.leaseDurationSeconds === 'number' ? { durationSec: spec.leaseDurationSeconds } : {}), transitions };
    }
    const takeover = holder !== o.holder;
    const next = {
      holderIdentity: o.holder,
      leaseDurationSeconds: o.durationSec,
      acquireTime: takeover ? now : (spec.acquireTime ?? now),
      renewTime: now,
      leaseTransitions: takeover ? transitions + 1 : transitions,
    };
    await this.client
      .request({ method: 'PUT', path: resourcePath('Lease', { namespace: o.namespace, name: o.name }), body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace, resourceVersion: lease.metadata.resourceVersion }, spec: next } })
      .catch(lost);
    if (takeover) this.logger.info({ lease: `${o.namespace}/${o.name}`, holder: o.holder, previous: holder, transitions: next.leaseTransitions }, 'lease acquired');
    return { acquired: true, holder: o.holder, renewTime: now, durationSec: o.durationSec, transitions: next.leaseTransitions };
  }

  async releaseLease(opts: Omit<AcquireLeaseOptions, 'durationSec'>): Promise<void> {
    this.assertOpen('releaseLease');
    const o = decodeOrThrow(LeaseRefCodec, opts, 'releaseLease options');
    for (let attempt = 0; attempt < 3; attempt++) {
      const lease = await this.readLease(o.namespace, o.name);
      if (lease === undefined || lease.spec?.holderIdentity !== o.holder) return;
      const spec: Record<string, unknown> = { ...(typeof lease.spec.leaseTransitions === 'number' ? { leaseTransitions: lease.spec.leaseTransitions } : {}) };
      try {
        await this.client.request({
          method: 'PUT',
          path: resourcePath('Lease', { namespace: o.namespace, name: o.name }),
          body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace, resourceVersion: lease.metadata.resourceVersion }, spec },
        });
        return;
      } catch (err) {
        // Someone renewed or took it meanwhile: read again (it may not be ours any more).
        if (!(err instanceof ConflictError) && statusCodeOf(err) !== 409) throw err;
      }
    }
    throw new ConflictError(`Lease ${o.namespace}/${o.name}: could not release it (it kept changing)`);
  }

  /** Stops every informer and aborts requests in flight; later calls fail with DeviceConnectionError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const i of this.informers.values()) i.stop();
    this.client.close();
  }
}
