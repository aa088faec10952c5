/**
 * The object store behind the test API server: every object of every resource, one global resourceVersion
 * counter, a bounded history of changes (what watches resume from and what `continue` tokens list from), and the
 * API server's write semantics — create, update with optimistic concurrency, merge and JSON patches, the status
 * subresource, delete with preconditions and namespace cascade, `generation`, validation and pruning of custom
 * resources. Errors are {@link KubeApiError}s carrying the API server's `Status`.
 *
 * @packageDocumentation
 */
import { randomInt, randomUUID } from 'node:crypto';
import { KubePatchError, jsonPatch, mergePatch } from './kube-apiserver.patch';
import { apiVersionOf, qualifiedNameOf, resourceKeyOf, type KubeResourceDef } from './kube-apiserver.resources';
import { applyDefaults, pruneBySchema, validateBySchema, type KubeStatusCause } from './kube-apiserver.schema';
import { KubeSelectorError, parseKubeFieldSelector, parseKubeLabelSelector, type KubeSelectorMatcher } from './kube-apiserver.selectors';

/** A Kubernetes object as the store holds it (plain JSON). */
export type KubeApiObject = Record<string, unknown> & { metadata: KubeApiMetadata };

/** Object metadata (the fields the store reads and sets; others are kept as given). */
export interface KubeApiMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  generateName?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** The `Status` body of a failed request. */
export interface KubeStatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure';
  readonly message: string;
  readonly reason: string;
  readonly details?: { readonly name?: string; readonly group?: string; readonly kind?: string; readonly causes?: readonly KubeStatusCause[]; readonly retryAfterSeconds?: number };
  readonly code: number;
}

/** A request the API server refuses: the HTTP code and the `Status` it answers with. */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: KubeStatusBody['details'],
  ) {
    super(message);
  }

  /** The `Status` object of this error. */
  toStatus(): KubeStatusBody {
    return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: this.message, reason: this.reason, ...(this.details === undefined ? {} : { details: this.details }), code: this.code };
  }
}

/** A watch event as sent on the wire. */
export interface KubeWatchEventBody {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: unknown;
}

interface HistoryEntry {
  readonly rv: number;
  readonly resource: string;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly key: string;
  readonly object: KubeApiObject;
  readonly prev?: KubeApiObject;
}

/** What a watch wants (one resource, optionally one namespace and selectors). */
interface StoreWatcher {
  readonly resource: KubeResourceDef;
  readonly namespace?: string;
  readonly label: KubeSelectorMatcher;
  readonly field: KubeSelectorMatcher;
  readonly send: (event: KubeWatchEventBody) => void;
}

/** Options of a write. */
export interface KubeWriteOptions {
  /** `Strict`: unknown fields of a custom resource are a 400; `Warn` (default) and `Ignore`: they are pruned. */
  readonly fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  /** `status` for the status subresource. */
  readonly subresource?: string;
}

/** The result of a write: the stored object and warnings (pruned unknown fields). */
export interface KubeWriteResult {
  readonly object: KubeApiObject;
  readonly warnings: readonly string[];
  /** True if the write created the object. */
  readonly created?: boolean;
}

/** Options of {@link KubeObjectStore.list}. */
export interface KubeListQuery {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continueToken?: string;
}

/** Options of {@link KubeObjectStore.watch}. */
export interface KubeWatchQuery {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Resume after this resourceVersion; absent, `''` or `'0'`: start with the current objects as ADDED events. */
  readonly resourceVersion?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const GENERATE_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted at every level (for comparing objects). */
function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stable(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Everything but metadata and status (what bumps `generation`). */
function specPart(o: Record<string, unknown>): string {
  const rest: Record<string, unknown> = { ...o };
  delete rest['metadata'];
  delete rest['status'];
  delete rest['apiVersion'];
  delete rest['kind'];
  return stable(rest);
}

const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Objects, resourceVersions, history and watches. Synchronous: a write has reached every watch when it returns.
 */
export class KubeObjectStore {
  private revision = 0;
  /** History holds every change after this revision (a watch from an older one gets 410 Gone). */
  private compactedAt = 0;
  private readonly objects = new Map<string, Map<string, KubeApiObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<StoreWatcher>();

  constructor(
    private readonly resources: () => readonly KubeResourceDef[],
    private readonly options: { readonly historyLimit: number; readonly now: () => number },
  ) {}

  /** The current (global) resourceVersion. */
  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may resume from. */
  get oldestResumable(): number {
    return this.compactedAt;
  }

  /** Drops the whole history: every watch that resumes from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedAt = this.revision;
  }

  private table(r: KubeResourceDef): Map<string, KubeApiObject> {
    const k = resourceKeyOf(r);
    let t = this.objects.get(k);
    if (t === undefined) {
      t = new Map();
      this.objects.set(k, t);
    }
    return t;
  }

  /** The object, or undefined. */
  get(r: KubeResourceDef, namespace: string | undefined, name: string): KubeApiObject | undefined {
    const o = this.table(r).get(keyOf(r.namespaced ? namespace : undefined, name));
    return o === undefined ? undefined : clone(o);
  }

  /** Every object of a resource (optionally one namespace), ordered by namespace then name. */
  all(r: KubeResourceDef, namespace?: string): KubeApiObject[] {
    return [...this.table(r).entries()]
      .filter(([, o]) => namespace === undefined || o.metadata.namespace === namespace)
      .sort(([a], [b]) => compareKeys(a, b))
      .map(([, o]) => clone(o));
  }

  private notFound(r: KubeResourceDef, name: string): KubeApiError {
    return new KubeApiError(404, 'NotFound', `${qualifiedNameOf(r)} "${name}" not found`, { name, group: r.group, kind: r.plural });
  }

  private conflict(r: KubeResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): KubeApiError {
    return new KubeApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedNameOf(r)} "${name}": ${why}`, { name, group: r.group, kind: r.plural });
  }

  private invalid(r: KubeResourceDef, name: string, causes: readonly KubeStatusCause[]): KubeApiError {
    const text = causes.map((c) => `${c.field}: ${c.message}`);
    const summary = text.length === 1 ? text[0]! : `[${text.join(', ')}]`;
    return new KubeApiError(422, 'Invalid', `${r.kind}${r.group === '' ? '' : `.${r.group}`} "${name}" is invalid: ${summary}`, { name, group: r.group, kind: r.kind, causes });
  }

  private namespaceExists(ns: string): boolean {
    const nsDef = this.resources().find((x) => x.group === '' && x.plural === 'namespaces');
    return nsDef !== undefined && this.table(nsDef).has(keyOf(undefined, ns));
  }

  // --- reads -------------------------------------------------------------------------------------------------------

  /**
   * Lists with selectors and chunking. A `continue` token lists the state of the first chunk's resourceVersion.
   * @throws KubeApiError 400 (bad selector or token), 410 (the token's resourceVersion is no longer in the history)
   */
  list(r: KubeResourceDef, q: KubeListQuery): { items: KubeApiObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } {
    const { label, field } = this.matchers(r, q.labelSelector, q.fieldSelector);
    let atRv = this.revision;
    let after = '';
    if (q.continueToken !== undefined && q.continueToken !== '') {
      const token = decodeContinue(q.continueToken);
      if (token.rv < this.compactedAt) {
        throw new KubeApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      atRv = token.rv;
      after = token.key;
    }
    const state = atRv === this.revision ? this.table(r) : this.stateAt(r, atRv);
    const matching = [...state.entries()]
      .filter(([k, o]) => (after === '' || compareKeys(k, after) > 0) && (q.namespace === undefined || o.metadata.namespace === q.namespace) && label(o.metadata.labels ?? {}) && field(o))
      .sort(([a], [b]) => compareKeys(a, b));
    const limit = q.limit !== undefined && q.limit > 0 ? q.limit : matching.length;
    const page = matching.slice(0, limit);
    const rest = matching.length - page.length;
    const out: { items: KubeApiObject[]; resourceVersion: string; continueToken?: string; remainingItemCount?: number } = { items: page.map(([, o]) => clone(o)), resourceVersion: String(atRv) };
    if (rest > 0) {
      out.continueToken = encodeContinue({ rv: atRv, key: page[page.length - 1]![0] });
      if ((q.labelSelector ?? '') === '' && (q.fieldSelector ?? '') === '') out.remainingItemCount = rest;
    }
    return out;
  }

  private matchers(r: KubeResourceDef, labelSelector: string | undefined, fieldSelector: string | undefined): { label: KubeSelectorMatcher; field: KubeSelectorMatcher } {
    try {
      return { label: parseKubeLabelSelector(labelSelector ?? ''), field: parseKubeFieldSelector(fieldSelector ?? '', r.selectableFields) };
    } catch (err) {
      if (err instanceof KubeSelectorError) throw new KubeApiError(400, 'BadRequest', err.message);
      throw err;
    }
  }

  /** The objects of a resource as they were at `rv` (undoing newer history). */
  private stateAt(r: KubeResourceDef, rv: number): Map<string, KubeApiObject> {
    const state = new Map(this.table(r));
    const resource = resourceKeyOf(r);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i]!;
      if (h.rv <= rv) break;
      if (h.resource !== resource) continue;
      if (h.type === 'ADDED') state.delete(h.key);
      else if (h.prev !== undefined) state.set(h.key, h.prev);
    }
    return state;
  }

  /**
   * Starts a watch: replays what the client missed (or the current objects), then sends every change.
   * @returns a function that ends the watch
   * @throws KubeApiError 400 (bad selector or resourceVersion), 410 Expired (the resourceVersion is older than the history)
   */
  watch(r: KubeResourceDef, q: KubeWatchQuery, send: (event: KubeWatchEventBody) => void): () => void {
    const { label, field } = this.matchers(r, q.labelSelector, q.fieldSelector);
    const w: StoreWatcher = { resource: r, ...(q.namespace === undefined ? {} : { namespace: q.namespace }), label, field, send };
    const rvText = q.resourceVersion ?? '';
    if (rvText === '' || rvText === '0') {
      for (const o of this.all(r, q.namespace)) if (label(o.metadata.labels ?? {}) && field(o)) send({ type: 'ADDED', object: o });
    } else {
      if (!/^\d+$/.test(rvText)) throw new KubeApiError(400, 'BadRequest', `resourceVersion: Invalid value: "${rvText}": strconv.ParseUint: parsing "${rvText}": invalid syntax`);
      const from = Number(rvText);
      if (from < this.compactedAt) throw new KubeApiError(410, 'Expired', `too old resource version: ${from} (${this.compactedAt})`);
      const resource = resourceKeyOf(r);
      for (const h of this.history) if (h.rv > from && h.resource === resource) this.deliver(w, h);
    }
    this.watchers.add(w);
    return () => void this.watchers.delete(w);
  }

  private deliver(w: StoreWatcher, h: HistoryEntry): void {
    if (w.namespace !== undefined && h.object.metadata.namespace !== w.namespace) return;
    const matches = (o: KubeApiObject | undefined): boolean => o !== undefined && w.label(o.metadata.labels ?? {}) && w.field(o);
    const now = matches(h.object);
    if (h.type === 'ADDED') {
      if (now) w.send({ type: 'ADDED', object: clone(h.object) });
    } else if (h.type === 'DELETED') {
      if (matches(h.prev) || now) w.send({ type: 'DELETED', object: clone(h.object) });
    } else {
      const before = matches(h.prev);
      // An object that starts or stops matching a selector is added to or deleted from the watcher's view.
      if (before && now) w.send({ type: 'MODIFIED', object: clone(h.object) });
      else if (!before && now) w.send({ type: 'ADDED', object: clone(h.object) });
      else if (before && !now) w.send({ type: 'DELETED', object: clone(h.object) });
    }
  }

  // --- writes ------------------------------------------------------------------------------------------------------

  private commit(r: KubeResourceDef, type: HistoryEntry['type'], object: KubeApiObject, prev?: KubeApiObject): KubeApiObject {
    this.revision += 1;
    const stored: KubeApiObject = { ...object, metadata: { ...object.metadata, resourceVersion: String(this.revision) } };
    const key = keyOf(r.namespaced ? stored.metadata.namespace : undefined, stored.metadata.name);
    if (type === 'DELETED') this.table(r).delete(key);
    else this.table(r).set(key, stored);
    const entry: HistoryEntry = { rv: this.revision, resource: resourceKeyOf(r), type, key, object: stored, ...(prev === undefined ? {} : { prev }) };
    this.history.push(entry);
    while (this.history.length > this.options.historyLimit) this.compactedAt = this.history.shift()!.rv;
    for (const w of [...this.watchers]) if (resourceKeyOf(w.resource) === entry.resource) this.deliver(w, entry);
    return clone(stored);
  }

  /** Checks and normalizes a body for a write of resource `r` (kind, apiVersion, metadata, schema). */
  private prepare(r: KubeResourceDef, body: KubeApiObject, opts: KubeWriteOptions): { object: KubeApiObject; warnings: string[] } {
    const name = body.metadata.name;
    const causes: KubeStatusCause[] = [];
    const nameOk = r.plural === 'namespaces' ? DNS_LABEL.test(name) && name.length <= 63 : DNS_SUBDOMAIN.test(name) && name.length <= 253;
    if (!nameOk) {
      causes.push({
        reason: 'FieldValueInvalid',
        field: 'metadata.name',
        message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 ${r.plural === 'namespaces' ? 'label' : 'subdomain'} must consist of lower case alphanumeric characters, '-'${r.plural === 'namespaces' ? '' : " or '.'"}, and must start and end with an alphanumeric character`,
      });
    }
    for (const mapName of ['labels', 'annotations'] as const) {
      const m = body.metadata[mapName];
      if (m === undefined || m === null) continue;
      if (!isRecord(m)) causes.push({ reason: 'FieldValueTypeInvalid', field: `metadata.${mapName}`, message: 'Invalid value: must be a map of strings' });
      else for (const [k, v] of Object.entries(m)) if (typeof v !== 'string') causes.push({ reason: 'FieldValueTypeInvalid', field: `metadata.${mapName}.${k}`, message: `Invalid value: ${JSON.stringify(v)}: must be a string` });
    }
    let object: KubeApiObject = { ...body, apiVersion: apiVersionOf(r), kind: r.kind };
    const warnings: string[] = [];
    if (r.schema !== undefined) {
      if (r.custom) {
        const { apiVersion, kind, metadata, ...rest } = object;
        const pruned = pruneBySchema(rest, { ...r.schema, properties: { ...r.schema.properties, apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' } } });
        if (pruned.unknown.length > 0) {
          if (opts.fieldValidation === 'Strict') {
            throw new KubeApiError(400, 'BadRequest', `${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${pruned.unknown.map((p) => `unknown field "${p}"`).join(', ')}`);
          }
          if (opts.fieldValidation !== 'Ignore') warnings.push(...pruned.unknown.map((p) => `unknown field "${p}"`));
        }
        object = { apiVersion, kind, metadata, ...(applyDefaults(pruned.value, r.schema) as Record<string, unknown>) } as KubeApiObject;
      }
      const { metadata: _m, apiVersion: _a, kind: _k, ...content } = object;
      causes.push(...validateBySchema(content, { ...r.schema, properties: { ...r.schema.properties } }, ''));
    }
    if (causes.length > 0) throw this.invalid(r, name, causes);
    return { object, warnings };
  }

  private checkBody(r: KubeResourceDef, body: unknown, namespace: string | undefined, name?: string): KubeApiObject {
    if (!isRecord(body)) throw new KubeApiError(400, 'BadRequest', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
    if (body['kind'] !== undefined && body['kind'] !== r.kind) {
      throw new KubeApiError(400, 'BadRequest', `the body of the request is a ${String(body['kind'])}, not a ${r.kind}`);
    }
    if (body['apiVersion'] !== undefined && body['apiVersion'] !== apiVersionOf(r)) {
      throw new KubeApiError(400, 'BadRequest', `the API version in the data (${String(body['apiVersion'])}) does not match the expected API version (${apiVersionOf(r)})`);
    }
    const metadata = isRecord(body['metadata']) ? { ...body['metadata'] } : {};
    if (r.namespaced) {
      if (metadata['namespace'] !== undefined && metadata['namespace'] !== '' && metadata['namespace'] !== namespace) {
        throw new KubeApiError(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
      }
      metadata['namespace'] = namespace;
    } else delete metadata['namespace'];
    if (name !== undefined) {
      if (metadata['name'] !== undefined && metadata['name'] !== name) throw new KubeApiError(400, 'BadRequest', `the name of the object (${String(metadata['name'])}) does not match the name on the URL (${name})`);
      metadata['name'] = name;
    }
    return { ...body, metadata } as KubeApiObject;
  }

  /**
   * Creates an object (POST). `metadata.generateName` makes a name when `name` is absent.
   * @throws KubeApiError 400, 404 (namespace), 409 AlreadyExists, 422 Invalid
   */
  create(r: KubeResourceDef, namespace: string | undefined, body: unknown, opts: KubeWriteOptions = {}): KubeWriteResult {
    return this.createObject(r, namespace, body, opts, false);
  }

  private createObject(r: KubeResourceDef, namespace: string | undefined, body: unknown, opts: KubeWriteOptions, keepStatus: boolean): KubeWriteResult {
    const o = this.checkBody(r, body, r.namespaced ? namespace : undefined);
    if (typeof o.metadata.name !== 'string' || o.metadata.name === '') {
      if (typeof o.metadata.generateName === 'string' && o.metadata.generateName !== '') {
        let suffix = '';
        for (let i = 0; i < 5; i++) suffix += GENERATE_CHARS[randomInt(GENERATE_CHARS.length)];
        o.metadata.name = `${o.metadata.generateName}${suffix}`;
      } else {
        throw this.invalid(r, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
      }
    }
    if (r.namespaced && (namespace === undefined || !this.namespaceExists(namespace))) {
      throw new KubeApiError(404, 'NotFound', `namespaces "${namespace ?? ''}" not found`, { name: namespace ?? '', kind: 'namespaces' });
    }
    if (this.table(r).has(keyOf(r.namespaced ? namespace : undefined, o.metadata.name))) throw this.alreadyExists(r, o.metadata.name);
    const { object, warnings } = this.prepare(r, o, opts);
    const meta: KubeApiMetadata = { ...object.metadata, uid: randomUUID(), creationTimestamp: new Date(this.options.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'), generation: 1 };
    delete meta.resourceVersion;
    const initial: KubeApiObject = { ...object, metadata: meta };
    if (r.statusSubresource && !keepStatus) {
      if (r.custom) delete initial['status'];
      else if (r.plural === 'pods') initial['status'] = { phase: 'Pending' };
      else if (r.plural === 'services') initial['status'] = { loadBalancer: {} };
      else if (r.plural === 'namespaces') initial['status'] = { phase: 'Active' };
    }
    return { object: this.commit(r, 'ADDED', initial), warnings, created: true };
  }

  private alreadyExists(r: KubeResourceDef, name: string): KubeApiError {
    return new KubeApiError(409, 'AlreadyExists', `${qualifiedNameOf(r)} "${name}" already exists`, { name, group: r.group, kind: r.plural });
  }

  /**
   * Replaces an object (PUT), or its status (`subresource: 'status'`). A `metadata.resourceVersion` in the body must
   * be the current one (409 Conflict otherwise); custom resources require it.
   * @throws KubeApiError 400, 404, 409 Conflict, 422 Invalid
   */
  update(r: KubeResourceDef, namespace: string | undefined, name: string, body: unknown, opts: KubeWriteOptions = {}): KubeWriteResult {
    const current = this.get(r, namespace, name);
    if (current === undefined) throw this.notFound(r, name);
    const o = this.checkBody(r, body, r.namespaced ? namespace : undefined, name);
    const rv = o.metadata.resourceVersion;
    if (rv === undefined || rv === '') {
      if (r.requireResourceVersionOnUpdate) {
        throw this.invalid(r, name, [{ reason: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: 'Invalid value: 0x0: must be specified for an update' }]);
      }
    } else if (rv !== current.metadata.resourceVersion) throw this.conflict(r, name);
    if (o.metadata.uid !== undefined && o.metadata.uid !== current.metadata.uid) {
      throw this.conflict(r, name, `Precondition failed: UID in precondition: ${String(o.metadata.uid)}, UID in object meta: ${String(current.metadata.uid)}`);
    }
    return this.replace(r, current, o, opts);
  }

  /** Stores `next` in place of `current` with the status-subresource, generation and server-field rules. */
  private replace(r: KubeResourceDef, current: KubeApiObject, next: KubeApiObject, opts: KubeWriteOptions): KubeWriteResult {
    let merged: KubeApiObject;
    if (opts.subresource === 'status') {
      merged = { ...current, ...(next['status'] === undefined ? {} : { status: next['status'] }) };
      if (next['status'] === undefined) delete merged['status'];
    } else {
      merged = { ...next };
      if (r.statusSubresource) {
        if (current['status'] === undefined) delete merged['status'];
        else merged['status'] = current['status'];
      }
    }
    const { object, warnings } = this.prepare(r, merged, opts);
    const meta: KubeApiMetadata = {
      ...(opts.subresource === 'status' ? current.metadata : object.metadata),
      name: current.metadata.name,
      ...(current.metadata.namespace === undefined ? {} : { namespace: current.metadata.namespace }),
      uid: current.metadata.uid!,
      creationTimestamp: current.metadata.creationTimestamp!,
      generation: (current.metadata.generation ?? 1) + (specPart(object) === specPart(current) ? 0 : 1),
    };
    const candidate: KubeApiObject = { ...object, metadata: meta };
    const same = stable({ ...candidate, metadata: { ...meta, resourceVersion: undefined } }) === stable({ ...current, metadata: { ...current.metadata, resourceVersion: undefined } });
    // A write that changes nothing keeps the resourceVersion and sends no event, as the API server does.
    if (same) return { object: current, warnings };
    return { object: this.commit(r, 'MODIFIED', candidate, current), warnings };
  }

  /**
   * Patches an object (or its status). Types: `application/merge-patch+json`, `application/strategic-merge-patch+json`
   * (applied as a merge patch), `application/json-patch+json`. A patch that sets `metadata.resourceVersion` is a
   * precondition (409 Conflict unless current).
   * @throws KubeApiError 400, 404, 409 Conflict, 415, 422 Invalid
   */
  patch(r: KubeResourceDef, namespace: string | undefined, name: string, contentType: string, patchBody: unknown, opts: KubeWriteOptions = {}): KubeWriteResult {
    const current = this.get(r, namespace, name);
    if (current === undefined) throw this.notFound(r, name);
    let patched: unknown;
    try {
      if (contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
        if (!isRecord(patchBody)) throw new KubePatchError('a merge patch must be a JSON object', 400);
        patched = mergePatch(current, patchBody);
      } else if (contentType === 'application/json-patch+json') patched = jsonPatch(current, patchBody);
      else throw new KubeApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`);
    } catch (err) {
      if (err instanceof KubePatchError) throw new KubeApiError(err.code, err.code === 400 ? 'BadRequest' : 'Invalid', err.message);
      throw err;
    }
    if (!isRecord(patched) || !isRecord(patched['metadata'])) throw new KubeApiError(422, 'Invalid', 'the patch removed the metadata');
    const meta = patched['metadata'];
    if (meta['name'] !== current.metadata.name) throw new KubeApiError(400, 'BadRequest', `the name of the object (${String(meta['name'])}) does not match the name on the URL (${name})`);
    if (meta['resourceVersion'] !== current.metadata.resourceVersion) throw this.conflict(r, name);
    if (meta['uid'] !== current.metadata.uid) throw this.conflict(r, name, 'Precondition failed: UID');
    return this.replace(r, current, this.checkBody(r, patched, current.metadata.namespace, name), opts);
  }

  /**
   * Deletes an object (a Namespace with everything in it, contents first). `preconditions` as in DeleteOptions.
   * @throws KubeApiError 404, 409 Conflict (precondition)
   */
  delete(r: KubeResourceDef, namespace: string | undefined, name: string, preconditions: { readonly uid?: string; readonly resourceVersion?: string } = {}): KubeApiObject {
    const current = this.get(r, namespace, name);
    if (current === undefined) throw this.notFound(r, name);
    if (preconditions.uid !== undefined && preconditions.uid !== current.metadata.uid) {
      throw this.conflict(r, name, `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${String(current.metadata.uid)}`);
    }
    if (preconditions.resourceVersion !== undefined && preconditions.resourceVersion !== current.metadata.resourceVersion) {
      throw this.conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${preconditions.resourceVersion}, ResourceVersion in object meta: ${String(current.metadata.resourceVersion)}`);
    }
    if (r.group === '' && r.plural === 'namespaces') {
      for (const inner of this.resources()) {
        if (!inner.namespaced) continue;
        for (const o of this.all(inner, name)) this.commit(inner, 'DELETED', o, o);
      }
    }
    return this.commit(r, 'DELETED', current, current);
  }

  /**
   * Creates or replaces an object behind the API's back (the test API's `put`): `status` and `annotations` that the
   * object does not give are kept from the current one; validation and pruning apply to custom resources.
   */
  apply(r: KubeResourceDef, body: KubeApiObject): KubeWriteResult {
    const ns = r.namespaced ? body.metadata.namespace : undefined;
    const current = this.get(r, ns, body.metadata.name);
    if (current === undefined) {
      return this.createObject(r, ns, { ...body, metadata: { ...body.metadata } }, { fieldValidation: 'Strict' }, true);
    }
    const o = this.checkBody(r, body, ns, body.metadata.name);
    const next: KubeApiObject = {
      ...o,
      metadata: { ...o.metadata, ...(o.metadata.annotations === undefined && current.metadata.annotations !== undefined ? { annotations: current.metadata.annotations } : {}) },
    };
    const main = this.replace(r, current, next, { fieldValidation: 'Strict' });
    if (!r.statusSubresource || body['status'] === undefined) return main;
    return this.replace(r, main.object, { ...main.object, status: body['status'] }, { subresource: 'status', fieldValidation: 'Strict' });
  }
}

function encodeContinue(t: { readonly rv: number; readonly key: string }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.key })).toString('base64url');
}

function decodeContinue(token: string): { rv: number; key: string } {
  try {
    const v: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (isRecord(v) && typeof v['rv'] === 'number' && typeof v['start'] === 'string') return { rv: v['rv'], key: v['start'] };
  } catch {
    // fall through to the error below
  }
  throw new KubeApiError(400, 'BadRequest', 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}
