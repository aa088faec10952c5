/**
 * `ScenarioSource`: the Kubernetes port over an in-memory cluster that a scenario's steps change.
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  parseLabelSelector,
  ConflictError,
  DeviceConnectionError,
  InputError,
  NotFoundError,
  ServiceStatusCodec,
  SubnetStatusCodec,
  VpcPeeringStatusCodec,
  SecurityGroupStatusCodec,
  decodeOrThrow,
  discriminated,
  intInRange,
  isNetloomError,
  silentLogger,
  stableStringify,
  struct,
  type AcquireLeaseOptions,
  type InputProblem,
  type KubeKind,
  type KubeListOptions,
  type KubeListResult,
  type KubeObject,
  type KubeObjectOf,
  type KubeObjectRef,
  type KubeStatusByKind,
  type KubeWatchEvent,
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
import { NonEmptyString, ScenarioKindCodec, ScenarioObjectCodec, ScenarioRefCodec, droppedFields, type Scenario, type ScenarioStep } from './scenario.format';
import { describeRef, isNamespaced, objectKey, refOf, uidFor } from './scenario.ids';
import { loadScenario, parseScenario } from './scenario.parser';

/** What {@link ScenarioSource.applyNow} takes. */
const ApplyNowCodec = t.type({ apply: t.readonlyArray(ScenarioObjectCodec), delete: t.readonlyArray(ScenarioRefCodec) });

/** What the scenario source supports: everything the port names, all in memory. */
export const SCENARIO_CAPABILITIES = { watch: true, statusWrite: true, annotationWrite: true, events: true, leases: true } as const satisfies PortCapabilities<'kubernetes'>;

/** Longest event message kept (the port's limit); longer ones are cut. */
export const MAX_EVENT_MESSAGE = 1024;

/** Options of {@link ScenarioSource}. */
export interface ScenarioSourceOptions {
  /** Receives step progress (info) and warnings. Default: silent. */
  readonly logger?: Logger;
  /**
   * The clock, in milliseconds since the epoch (default `Date.now`): creation timestamps, event and write times,
   * lease renewals and expiry. Tests pass a fake one.
   */
  readonly now?: () => number;
}

/** What one step changed. Object references carry the uid the object has (had, for deleted ones). */
export interface StepSummary {
  /** 0-based position of the step in the scenario. */
  readonly index: number;
  readonly name: string;
  /** Where the step was written (`scenario.yaml steps[2]`). */
  readonly origin: string;
  readonly added: readonly KubeObjectRef[];
  readonly modified: readonly KubeObjectRef[];
  /** Deleted objects, including those deleted with their Namespace. */
  readonly deleted: readonly KubeObjectRef[];
  /** Objects the step applied that were already exactly so (no event). */
  readonly unchanged: readonly KubeObjectRef[];
  /** Things a real API server would have refused or that did nothing (deleting a missing object, ...). */
  readonly warnings: readonly string[];
  /** The cluster's resourceVersion after the step. */
  readonly resourceVersion: string;
}

/** An event netloom recorded with `recordEvent`. */
export interface RecordedEvent {
  /** The object, with its uid filled in when the object exists. */
  readonly regarding: KubeObjectRef;
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  /** At most {@link MAX_EVENT_MESSAGE} characters. */
  readonly message: string;
  readonly action?: string;
  /** ISO 8601. */
  readonly time: string;
  /** How many steps had been played when it was recorded. */
  readonly afterStep: number;
}

/** A write netloom made through the port (what `patchAnnotations` and `patchStatus` were asked to do). */
export type ScenarioWrite =
  | {
      readonly op: 'annotations';
      readonly ref: KubeObjectRef;
      readonly annotations: Readonly<Record<string, string | null>>;
      /** False when the object already was so (no new resourceVersion, no event). */
      readonly changed: boolean;
      readonly resourceVersion: string;
      readonly time: string;
      readonly afterStep: number;
    }
  | {
      readonly op: 'status';
      readonly ref: KubeObjectRef;
      readonly status: unknown;
      readonly changed: boolean;
      readonly resourceVersion: string;
      readonly time: string;
      readonly afterStep: number;
    };

/** A Lease as the source holds it. */
export interface ScenarioLease {
  readonly namespace: string;
  readonly name: string;
  readonly holder?: string;
  readonly acquireTime?: string;
  readonly renewTime?: string;
  readonly durationSec?: number;
  /** The fencing token: how many times a holder took the lease (it only grows). */
  readonly transitions: number;
  /** True if nobody holds it, or the holder did not renew in time. */
  readonly expired: boolean;
}

/** A reference by kind, namespace (namespaced kinds) and name. */
export interface ObjectLocator<K extends KubeKind = KubeKind> {
  readonly kind: K;
  readonly namespace?: string;
  readonly name: string;
}

interface Entry {
  readonly object: KubeObject;
  /** Annotations written through patchAnnotations (null: removed); kept when a later step updates the object. */
  readonly managed: Map<string, string | null>;
}

interface Watcher {
  readonly kinds: ReadonlySet<KubeKind>;
  readonly namespace?: string;
  readonly handler: KubeWatchHandler;
  active: boolean;
}

interface LeaseRecord {
  holder?: string;
  acquireMs?: number;
  renewMs?: number;
  durationSec?: number;
  transitions: number;
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** JSON merge patch (RFC 7386) without null: objects merge recursively, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) out[k] = mergePatch(out[k], v);
  return out;
}

/** Metadata in a readable field order, without absent fields. */
function orderedMeta(m: KubeObject['metadata']): KubeObject['metadata'] {
  const order = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'labels', 'annotations', 'ownerReferences'] as const;
  const out: Record<string, unknown> = {};
  for (const k of order) if (m[k] !== undefined) out[k] = m[k];
  return out as KubeObject['metadata'];
}

/** Everything but metadata and status (what bumps `generation`). */
function specPart(o: KubeObject): string {
  const { metadata: _m, ...rest } = o as KubeObject & { status?: unknown };
  delete (rest as { status?: unknown }).status;
  return stableStringify(rest);
}

/** The object without its resourceVersion (what "really changed" compares). */
function comparable(o: KubeObject): string {
  return stableStringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
}

const sortObjects = <T extends KubeObject>(xs: T[]): T[] =>
  xs.sort((a, b) => {
    const na = a.metadata.namespace ?? '';
    const nb = b.metadata.namespace ?? '';
    return na < nb ? -1 : na > nb ? 1 : a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
  });

// --- option codecs of the port calls --------------------------------------------------------------------------------

function namespaceProblems(kind: KubeKind, namespace: string | undefined): InputProblem[] {
  if (isNamespaced(kind) && namespace === undefined) return [{ path: 'namespace', reason: `required (${kind} is namespaced)` }];
  if (!isNamespaced(kind) && namespace !== undefined) return [{ path: 'namespace', reason: `${kind} is cluster-scoped: leave it out` }];
  return [];
}

function decodeWithChecks<A>(codec: t.Type<A, unknown, unknown>, value: unknown, subject: string, check: (a: A) => InputProblem[]): A {
  const a = decodeOrThrow(codec, value, subject);
  const problems = check(a);
  if (problems.length > 0) throw InputError.fromProblems(subject, problems);
  return a;
}

const ListOptionsCodec = struct('list options', { kind: ScenarioKindCodec }, { namespace: NonEmptyString, labelSelector: t.string });
const WatchOptionsCodec = struct('watch options', { kinds: t.readonlyArray(ScenarioKindCodec, 'list of kinds') }, { namespace: NonEmptyString, onError: t.Function });
const AnnotatableKindCodec = t.keyof({ Namespace: null, Node: null, Pod: null, Service: null }, '"Namespace" | "Node" | "Pod" | "Service"');
const PatchAnnotationsCodec = struct(
  'patchAnnotations options',
  { kind: AnnotatableKindCodec, name: NonEmptyString, annotations: t.record(t.string, t.union([t.string, t.null], 'a string or null'), 'map of annotations') },
  { namespace: NonEmptyString, resourceVersion: t.string },
);
const statusCodecs = { Subnet: SubnetStatusCodec, VpcPeering: VpcPeeringStatusCodec, SecurityGroup: SecurityGroupStatusCodec, Service: ServiceStatusCodec } as const;
const patchStatusMember = <K extends keyof typeof statusCodecs>(kind: K) =>
  struct(`patchStatus options (${kind})`, { kind: t.literal(kind), name: NonEmptyString, status: statusCodecs[kind] }, { namespace: NonEmptyString });
const PatchStatusCodec = discriminated('patchStatus options', 'kind', {
  Subnet: patchStatusMember('Subnet'),
  VpcPeering: patchStatusMember('VpcPeering'),
  SecurityGroup: patchStatusMember('SecurityGroup'),
  Service: patchStatusMember('Service'),
});
const ObjectRefCodec = struct('object reference', { kind: ScenarioKindCodec, name: NonEmptyString }, { namespace: NonEmptyString, uid: t.string });
const RecordEventCodec = struct(
  'recordEvent options',
  { regarding: ObjectRefCodec, type: t.keyof({ Normal: null, Warning: null }, '"Normal" | "Warning"'), reason: NonEmptyString, message: t.string },
  { action: t.string },
);
const LeaseRefCodec = struct('lease', { namespace: NonEmptyString, name: NonEmptyString, holder: NonEmptyString }, {});
const AcquireLeaseCodec = struct('acquireLease options', { namespace: NonEmptyString, name: NonEmptyString, holder: NonEmptyString, durationSec: intInRange('DurationSec', 1, 86_400) }, {});

// --- the source -----------------------------------------------------------------------------------------------------

/**
 * The Kubernetes port over a scenario: an in-memory cluster that starts empty and changes one step at a time.
 *
 * - `advance()` plays the next step, `step(n)` the next n, `playAll()` the rest; each returns what changed
 *   ({@link StepSummary}) and delivers `added` / `modified` / `deleted` events to the watchers before it returns.
 *   `autoAdvance(ms)` plays the steps by themselves.
 * - An applied object replaces the previous one of that kind/namespace/name, except that annotations netloom wrote
 *   (`patchAnnotations`) and the current `status` are kept when the step does not give them (as `kubectl apply`
 *   keeps fields other managers own). `modified` is emitted only when the object really changed.
 * - Every change takes the next cluster `resourceVersion` (a counter). Objects get deterministic uids
 *   ({@link uidFor}: the same in every run; a re-created object gets a new one), `creationTimestamp` from the clock
 *   and `generation` (1, +1 whenever anything outside metadata and status changes) unless the step gives them.
 * - Deleting a Namespace deletes the objects in it first. Deleting a missing object is a step warning.
 * - Writes (`patchAnnotations`, `patchStatus`, `recordEvent`) change the objects (and emit `modified`) and are kept
 *   in a log: {@link ScenarioSource.writes}, {@link ScenarioSource.events}, {@link ScenarioSource.statusOf}.
 * - Leases live in memory, with expiry by the clock and a fencing token (`transitions`) that grows with every new
 *   holder.
 *
 * Objects handed out (list, watch, get) are deeply frozen snapshots.
 */
export class ScenarioSource implements KubernetesPort {
  readonly capabilities: PortCapabilities<'kubernetes'> = SCENARIO_CAPABILITIES;
  readonly scenario: Scenario;

  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly store = new Map<string, Entry>();
  private readonly incarnations = new Map<string, number>();
  private revision = 0;
  private played = 0;
  private readonly summaries: StepSummary[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly queue: { watcher: Watcher; event: KubeWatchEvent }[] = [];
  private draining = false;
  private readonly eventLog: RecordedEvent[] = [];
  private readonly writeLog: ScenarioWrite[] = [];
  private readonly leases = new Map<string, LeaseRecord>();
  private readonly stepListeners = new Set<(summary: StepSummary) => void>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(scenario: Scenario, opts: ScenarioSourceOptions = {}) {
    this.scenario = scenario;
    this.logger = (opts.logger ?? silentLogger).child({ scenario: scenario.name });
    this.now = opts.now ?? Date.now;
  }

  /** A source over a scenario file (with its includes). @throws InputError */
  static async fromFile(file: string, opts: ScenarioSourceOptions = {}): Promise<ScenarioSource> {
    return new ScenarioSource(await loadScenario(file), opts);
  }

  /** A source over scenario YAML text. @throws InputError */
  static fromText(text: string, name = 'scenario', opts: ScenarioSourceOptions = {}): ScenarioSource {
    return new ScenarioSource(parseScenario(text, name), opts);
  }

  // --- the timeline ----------------------------------------------------------------------------------------------

  /** How many steps have been played. */
  get position(): number {
    return this.played;
  }

  /** How many steps are left. */
  get remaining(): number {
    return this.scenario.steps.length - this.played;
  }

  /** True when every step has been played. */
  get done(): boolean {
    return this.remaining === 0;
  }

  /** The step `advance()` would play next. */
  nextStep(): ScenarioStep | undefined {
    return this.scenario.steps[this.played];
  }

  /** The summaries of the steps played so far. */
  history(): readonly StepSummary[] {
    return [...this.summaries];
  }

  /**
   * Plays the next step: its applies in order, then its deletes; watchers have received every event when it
   * returns. Undefined when every step has been played.
   * @throws DeviceConnectionError after close()
   */
  advance(): StepSummary | undefined {
    this.assertOpen('advance');
    const step = this.scenario.steps[this.played];
    if (step === undefined) return undefined;
    const index = this.played++;
    return this.play(step, index);
  }

  /**
   * Applies objects and deletes objects now, outside the timeline, as `kubectl apply` / `kubectl delete` would (the
   * conformance kit's cluster harness and tests use it). Objects are validated like a scenario step's; the step
   * position does not move. Watchers have received every event when it returns.
   * @example source.applyNow({ apply: [{ kind: 'Namespace', metadata: { name: 'shop' } }] })
   * @throws InputError (an object or reference that is not valid, with its path), DeviceConnectionError after close()
   */
  applyNow(change: { readonly apply?: readonly unknown[]; readonly delete?: readonly unknown[] }, name = 'applied now'): StepSummary {
    this.assertOpen('applyNow');
    const decoded = decodeOrThrow(ApplyNowCodec, { apply: change.apply ?? [], delete: change.delete ?? [] }, `applyNow (${name})`);
    return this.play({ name, apply: decoded.apply, delete: decoded.delete, origin: name }, -1);
  }

  /** Plays one step (`index` -1: out of the timeline, not kept in the history). */
  private play(step: ScenarioStep, index: number): StepSummary {
    const acc = { added: [] as KubeObjectRef[], modified: [] as KubeObjectRef[], deleted: [] as KubeObjectRef[], unchanged: [] as KubeObjectRef[], warnings: [] as string[] };
    for (const object of step.apply) this.applyObject(object, acc);
    for (const ref of step.delete) this.deleteObject(ref, acc);
    this.drain();
    const summary: StepSummary = deepFreeze({ index, name: step.name, origin: step.origin, ...acc, resourceVersion: String(this.revision) });
    if (index < 0) {
      for (const w of acc.warnings) this.logger.warn({ origin: step.origin }, w);
      return summary;
    }
    this.summaries.push(summary);
    this.logger.info(
      { step: index + 1, of: this.scenario.steps.length, added: acc.added.length, modified: acc.modified.length, deleted: acc.deleted.length, unchanged: acc.unchanged.length },
      `scenario step ${index + 1}/${this.scenario.steps.length}: ${step.name}`,
    );
    for (const w of acc.warnings) this.logger.warn({ step: index + 1, origin: step.origin }, w);
    for (const listener of this.stepListeners) {
      try {
        listener(summary);
      } catch (err) {
        this.logger.warn({ err }, 'a step listener threw');
      }
    }
    return summary;
  }

  /** Plays the next `count` steps (fewer if the scenario ends first). */
  step(count = 1): StepSummary[] {
    if (!Number.isInteger(count) || count < 0) throw new InputError(`step count ${count} is not a non-negative integer`, [{ path: 'count', reason: 'must be a non-negative integer' }]);
    const out: StepSummary[] = [];
    for (let i = 0; i < count; i++) {
      const s = this.advance();
      if (s === undefined) break;
      out.push(s);
    }
    return out;
  }

  /** Plays every remaining step. */
  playAll(): StepSummary[] {
    return this.step(this.remaining);
  }

  /**
   * Plays the steps by themselves: the next one now, each further one `intervalMs` later, until the end or
   * `close()` / `stopAutoAdvance()`. Idempotent while running.
   */
  autoAdvance(intervalMs: number): void {
    this.assertOpen('autoAdvance');
    if (this.timer !== undefined) return;
    const tick = (): void => {
      this.timer = undefined;
      if (this.closed) return;
      try {
        this.advance();
      } catch (err) {
        this.logger.error({ err }, 'scenario step failed');
        return;
      }
      if (!this.done) this.timer = setTimeout(tick, intervalMs);
    };
    tick();
  }

  /** Stops automatic steps. Idempotent. */
  stopAutoAdvance(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Calls `listener` after every step (also automatic ones). Returns a function that removes it. */
  onStep(listener: (summary: StepSummary) => void): () => void {
    this.stepListeners.add(listener);
    return () => void this.stepListeners.delete(listener);
  }

  // --- inspection --------------------------------------------------------------------------------------------------

  /** The cluster's current resourceVersion. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  /** The current object, if it exists. */
  get<K extends KubeKind>(ref: ObjectLocator<K>): KubeObjectOf<K> | undefined {
    return this.store.get(objectKey(ref))?.object as KubeObjectOf<K> | undefined;
  }

  /** Every current object (of one kind, if given), ordered by kind then namespace and name. */
  objects(kind?: KubeKind): KubeObject[] {
    const all = [...this.store.values()].map((e) => e.object).filter((o) => kind === undefined || o.kind === kind);
    const kinds = [...new Set(all.map((o) => o.kind))].sort();
    return kinds.flatMap((k) => sortObjects(all.filter((o) => o.kind === k)));
  }

  /** The object's current status (what netloom wrote with patchStatus, or what the scenario gave). */
  statusOf<K extends keyof KubeStatusByKind>(ref: ObjectLocator<K>): KubeStatusByKind[K] | undefined {
    return (this.get(ref) as { status?: KubeStatusByKind[K] } | undefined)?.status;
  }

  /** The object's current annotations. */
  annotationsOf(ref: ObjectLocator): Readonly<Record<string, string>> | undefined {
    return this.get(ref)?.metadata.annotations;
  }

  /** Events recorded with recordEvent, oldest first (optionally only those regarding one object). */
  events(regarding?: ObjectLocator): readonly RecordedEvent[] {
    return regarding === undefined ? [...this.eventLog] : this.eventLog.filter((e) => objectKey(e.regarding) === objectKey(regarding));
  }

  /** Annotation and status writes, oldest first (also those that changed nothing). */
  writes(): readonly ScenarioWrite[] {
    return [...this.writeLog];
  }

  /** A Lease as held now. */
  leaseOf(ref: { readonly namespace: string; readonly name: string }): ScenarioLease | undefined {
    const rec = this.leases.get(`${ref.namespace}/${ref.name}`);
    if (rec === undefined) return undefined;
    return {
      namespace: ref.namespace,
      name: ref.name,
      ...(rec.holder === undefined ? {} : { holder: rec.holder }),
      ...(rec.acquireMs === undefined ? {} : { acquireTime: new Date(rec.acquireMs).toISOString() }),
      ...(rec.renewMs === undefined ? {} : { renewTime: new Date(rec.renewMs).toISOString() }),
      ...(rec.durationSec === undefined ? {} : { durationSec: rec.durationSec }),
      transitions: rec.transitions,
      expired: !this.held(rec),
    };
  }

  // --- the port: reads ---------------------------------------------------------------------------------------------

  async list<K extends KubeKind>(opts: KubeListOptions<K>): Promise<KubeListResult<K>> {
    this.assertOpen('list');
    const o = decodeOrThrow(ListOptionsCodec, opts, 'list options');
    const matches = parseLabelSelector(o.labelSelector ?? '');
    const items = [...this.store.values()]
      .map((e) => e.object)
      .filter((x) => x.kind === o.kind && (o.namespace === undefined || !isNamespaced(x.kind) || x.metadata.namespace === o.namespace) && matches(x.metadata.labels));
    return { items: sortObjects(items) as KubeObjectOf<K>[], resourceVersion: String(this.revision) };
  }

  async watch(opts: KubeWatchOptions, handler: KubeWatchHandler): Promise<KubeWatchStop> {
    this.assertOpen('watch');
    const o = decodeWithChecks(WatchOptionsCodec, opts, 'watch options', (w) => (w.kinds.length === 0 ? [{ path: 'kinds', reason: 'give at least one kind' }] : []));
    if (typeof handler !== 'function') throw new InputError('watch needs a handler function', [{ path: 'handler', reason: 'required (a function)' }]);
    const watcher: Watcher = { kinds: new Set(o.kinds), ...(o.namespace === undefined ? {} : { namespace: o.namespace }), handler, active: true };
    this.watchers.add(watcher);
    for (const kind of o.kinds) {
      for (const object of this.objects(kind)) if (this.sees(watcher, object)) this.queue.push({ watcher, event: { type: 'added', object } });
    }
    this.drain();
    return () => {
      watcher.active = false;
      this.watchers.delete(watcher);
    };
  }

  // --- the port: writes --------------------------------------------------------------------------------------------

  async patchAnnotations(opts: PatchAnnotationsOptions): Promise<void> {
    this.assertOpen('patchAnnotations');
    const o = decodeWithChecks(PatchAnnotationsCodec, opts, 'patchAnnotations options', (p) => [
      ...namespaceProblems(p.kind, p.namespace),
      ...Object.keys(p.annotations)
        .filter((k) => k === '')
        .map(() => ({ path: 'annotations', reason: 'an annotation key must not be empty' })),
    ]);
    const entry = this.entryOrThrow(o);
    const current = entry.object;
    if (o.resourceVersion !== undefined && o.resourceVersion !== current.metadata.resourceVersion) {
      throw new ConflictError(`${describeRef(o)} is at resourceVersion ${current.metadata.resourceVersion}, not ${o.resourceVersion}: read it again and retry`, {
        details: { ref: refOf(current), expected: o.resourceVersion, actual: current.metadata.resourceVersion },
      });
    }
    const annotations: Record<string, string> = { ...current.metadata.annotations };
    for (const [k, v] of Object.entries(o.annotations)) {
      entry.managed.set(k, v);
      if (v === null) delete annotations[k];
      else annotations[k] = v;
    }
    const next = { ...current, metadata: orderedMeta({ ...current.metadata, annotations: Object.keys(annotations).length > 0 ? annotations : undefined }) } as KubeObject;
    const changed = this.update(entry, next);
    this.writeLog.push(deepFreeze({ op: 'annotations' as const, ref: refOf(current), annotations: { ...o.annotations }, changed, resourceVersion: this.get(o)!.metadata.resourceVersion, time: this.isoNow(), afterStep: this.played }));
    this.drain();
  }

  async patchStatus<K extends keyof KubeStatusByKind>(opts: PatchStatusOptions<K>): Promise<void> {
    this.assertOpen('patchStatus');
    const o = decodeWithChecks(PatchStatusCodec, opts, 'patchStatus options', (p) => [
      ...namespaceProblems(p.kind, p.namespace),
      ...droppedFields((opts as { status?: unknown }).status, p.status).map((path) => ({ path: ['status', ...path].map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join(''), reason: `unknown field (the ${p.kind} status has no such field)` })),
    ]);
    const entry = this.entryOrThrow(o);
    const current = entry.object as KubeObject & { status?: unknown };
    const next = { ...current, status: mergePatch(current.status, o.status) } as KubeObject;
    const changed = this.update(entry, next);
    this.writeLog.push(deepFreeze({ op: 'status' as const, ref: refOf(current), status: o.status, changed, resourceVersion: this.get(o)!.metadata.resourceVersion, time: this.isoNow(), afterStep: this.played }));
    this.drain();
  }

  async recordEvent(opts: RecordEventOptions): Promise<void> {
    this.assertOpen('recordEvent');
    const o = decodeWithChecks(RecordEventCodec, opts, 'recordEvent options', (e) => namespaceProblems(e.regarding.kind, e.regarding.namespace).map((p) => ({ ...p, path: `regarding.${p.path}` })));
    const uid = o.regarding.uid ?? this.get(o.regarding)?.metadata.uid;
    const regarding: KubeObjectRef = { kind: o.regarding.kind, ...(o.regarding.namespace === undefined ? {} : { namespace: o.regarding.namespace }), name: o.regarding.name, ...(uid === undefined ? {} : { uid }) };
    this.eventLog.push(
      deepFreeze({
        regarding,
        type: o.type,
        reason: o.reason,
        message: o.message.length > MAX_EVENT_MESSAGE ? o.message.slice(0, MAX_EVENT_MESSAGE) : o.message,
        ...(o.action === undefined ? {} : { action: o.action }),
        time: this.isoNow(),
        afterStep: this.played,
      }),
    );
  }

  // --- the port: leases --------------------------------------------------------------------------------------------

  async acquireLease(opts: AcquireLeaseOptions): Promise<LeaseState> {
    this.assertOpen('acquireLease');
    const o = decodeOrThrow(AcquireLeaseCodec, opts, 'acquireLease options');
    const key = `${o.namespace}/${o.name}`;
    const rec = this.leases.get(key) ?? { transitions: 0 };
    this.leases.set(key, rec);
    const now = this.now();
    if (this.held(rec) && rec.holder !== o.holder) {
      return { acquired: false, holder: rec.holder!, renewTime: new Date(rec.renewMs!).toISOString(), durationSec: rec.durationSec!, transitions: rec.transitions };
    }
    if (rec.holder !== o.holder) {
      rec.transitions += 1;
      rec.holder = o.holder;
      rec.acquireMs = now;
    }
    rec.renewMs = now;
    rec.durationSec = o.durationSec;
    return { acquired: true, holder: o.holder, renewTime: new Date(now).toISOString(), durationSec: o.durationSec, transitions: rec.transitions };
  }

  async releaseLease(opts: Omit<AcquireLeaseOptions, 'durationSec'>): Promise<void> {
    this.assertOpen('releaseLease');
    const o = decodeOrThrow(LeaseRefCodec, opts, 'releaseLease options');
    const rec = this.leases.get(`${o.namespace}/${o.name}`);
    if (rec === undefined || rec.holder !== o.holder) return;
    delete rec.holder;
    delete rec.acquireMs;
    delete rec.renewMs;
    delete rec.durationSec;
  }

  /** Stops automatic steps and every watch; later port calls fail with DeviceConnectionError. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopAutoAdvance();
    for (const w of this.watchers) w.active = false;
    this.watchers.clear();
    this.queue.length = 0;
  }

  // --- internals ---------------------------------------------------------------------------------------------------

  private assertOpen(op: string): void {
    if (this.closed) throw new DeviceConnectionError(`scenario source ${JSON.stringify(this.scenario.name)} is closed (${op})`);
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private held(rec: LeaseRecord): boolean {
    return rec.holder !== undefined && rec.renewMs !== undefined && rec.durationSec !== undefined && this.now() < rec.renewMs + rec.durationSec * 1000;
  }

  private entryOrThrow(ref: ObjectLocator): Entry {
    const entry = this.store.get(objectKey(ref));
    if (entry === undefined) throw new NotFoundError(`${describeRef(ref)} not found`, { details: { ref: { kind: ref.kind, namespace: ref.namespace, name: ref.name } } });
    return entry;
  }

  private sees(w: Watcher, object: KubeObject): boolean {
    return w.active && w.kinds.has(object.kind) && (w.namespace === undefined || !isNamespaced(object.kind) || object.metadata.namespace === w.namespace);
  }

  private emit(type: KubeWatchEvent['type'], object: KubeObject): void {
    for (const watcher of this.watchers) if (this.sees(watcher, object)) this.queue.push({ watcher, event: { type, object } as KubeWatchEvent });
  }

  /** Delivers queued events in order; re-entrant calls (a handler that writes) append and return. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
        if (!item.watcher.active) continue;
        try {
          item.watcher.handler(item.event);
        } catch (err) {
          this.logger.warn({ err: isNetloomError(err) ? err.toJSON() : String(err), event: item.event.type, ref: refOf(item.event.object) }, 'a watch handler threw (the watch goes on)');
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Stores `next` (a new resourceVersion, `modified`) unless it equals the current object. True if it changed. */
  private update(entry: Entry, next: KubeObject): boolean {
    if (comparable(next) === comparable(entry.object)) return false;
    const stored = this.commit(next);
    this.store.set(objectKey(refOf(stored)), { object: stored, managed: entry.managed });
    this.emit('modified', stored);
    return true;
  }

  private commit(object: KubeObject): KubeObject {
    this.revision += 1;
    return deepFreeze({ ...object, metadata: orderedMeta({ ...object.metadata, resourceVersion: String(this.revision) }) } as KubeObject);
  }

  private applyObject(object: KubeObject, acc: { added: KubeObjectRef[]; modified: KubeObjectRef[]; unchanged: KubeObjectRef[]; warnings: string[] }): void {
    const meta = object.metadata;
    const key = objectKey({ kind: object.kind, namespace: meta.namespace, name: meta.name });
    const entry = this.store.get(key);
    if (meta.namespace !== undefined && !this.store.has(objectKey({ kind: 'Namespace', name: meta.namespace }))) {
      acc.warnings.push(`${describeRef({ kind: object.kind, namespace: meta.namespace, name: meta.name })}: namespace ${JSON.stringify(meta.namespace)} does not exist (a real API server would refuse the object)`);
    }
    if (entry === undefined) {
      const incarnation = (this.incarnations.get(key) ?? 0) + 1;
      this.incarnations.set(key, incarnation);
      const stored = this.commit({
        ...object,
        metadata: {
          ...meta,
          uid: meta.uid !== '' ? meta.uid : uidFor({ kind: object.kind, namespace: meta.namespace, name: meta.name }, incarnation),
          creationTimestamp: meta.creationTimestamp ?? this.isoNow(),
          generation: meta.generation ?? 1,
        },
      } as KubeObject);
      this.store.set(key, { object: stored, managed: new Map() });
      this.emit('added', stored);
      acc.added.push(refOf(stored));
      return;
    }
    const prev = entry.object as KubeObject & { status?: unknown };
    // Annotations netloom wrote survive an update that does not name them; those the step names are the step's.
    const annotations: Record<string, string> = { ...meta.annotations };
    for (const [k, v] of [...entry.managed]) {
      if (meta.annotations !== undefined && Object.prototype.hasOwnProperty.call(meta.annotations, k)) entry.managed.delete(k);
      else if (v === null) delete annotations[k];
      else annotations[k] = v;
    }
    const status = (object as { status?: unknown }).status ?? prev.status;
    const merged = { ...object, ...(status === undefined ? {} : { status }) } as KubeObject;
    const next = {
      ...merged,
      metadata: {
        ...meta,
        uid: meta.uid !== '' ? meta.uid : prev.metadata.uid,
        resourceVersion: prev.metadata.resourceVersion,
        creationTimestamp: meta.creationTimestamp ?? prev.metadata.creationTimestamp,
        generation: meta.generation ?? (prev.metadata.generation ?? 1) + (specPart(merged) === specPart(prev) ? 0 : 1),
        annotations: Object.keys(annotations).length > 0 ? annotations : undefined,
      },
    } as KubeObject;
    const normalized = { ...next, metadata: orderedMeta(next.metadata) } as KubeObject;
    if (this.update(entry, normalized)) acc.modified.push(refOf(this.get(refOf(normalized))!));
    else acc.unchanged.push(refOf(prev));
  }

  private deleteObject(ref: KubeObjectRef, acc: { deleted: KubeObjectRef[]; warnings: string[] }): void {
    const key = objectKey(ref);
    const entry = this.store.get(key);
    if (entry === undefined) {
      acc.warnings.push(`delete ${describeRef(ref)}: it does not exist (nothing to delete)`);
      return;
    }
    if (ref.kind === 'Namespace') {
      for (const inside of this.objects().filter((o) => isNamespaced(o.kind) && o.metadata.namespace === ref.name)) this.deleteObject(refOf(inside), acc);
    }
    this.store.delete(key);
    const last = this.commit(entry.object);
    this.emit('deleted', last);
    acc.deleted.push(refOf(last));
  }
}

/** One line of progress output: `step 3/6 "analytics joins shop": 1 added, 0 modified, 0 deleted`. */
export function formatStepSummary(summary: StepSummary, total?: number): string {
  const counts = `${summary.added.length} added, ${summary.modified.length} modified, ${summary.deleted.length} deleted`;
  const warn = summary.warnings.length > 0 ? `, ${summary.warnings.length} warning${summary.warnings.length === 1 ? '' : 's'}` : '';
  return `step ${summary.index + 1}${total === undefined ? '' : `/${total}`} ${JSON.stringify(summary.name)}: ${counts}${warn}`;
}
