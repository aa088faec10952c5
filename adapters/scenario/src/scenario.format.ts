/**
 * The scenario file format (io-ts codecs): a YAML timeline of Kubernetes objects.
 *
 * ```yaml
 * apiVersion: netloom.io/v1alpha1
 * kind: Scenario
 * metadata: { name: demo, description: optional text }
 * include: [base.yaml]                  # optional: files whose steps come first (relative to this file)
 * steps:
 *   - name: first namespaces and pods   # shown in progress output
 *     apply:                            # objects created or updated (by kind/namespace/name), in this order
 *       - { kind: Namespace, metadata: { name: shop, labels: { netloom.io/vpc: shop } } }
 *     delete:                           # references of objects to delete, after the applies
 *       - { kind: Pod, namespace: shop, name: web-1 }
 * ```
 *
 * Every object is decoded with the port's codec for its kind (`KUBE_OBJECT_CODECS`): fields netloom does not read
 * are dropped, as the Kubernetes adapter drops them from API server replies. `metadata.uid`, `creationTimestamp`
 * and `generation` may be given; `resourceVersion` may not (the source assigns it). Owner references may leave out
 * `uid` (and `apiVersion` for well-known kinds): the source fills the owner's deterministic uid.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import {
  KUBE_KINDS,
  KUBE_OBJECT_CODECS,
  describeValue,
  failureAt,
  struct,
  typeMismatch,
  type KubeKind,
  type KubeObject,
  type KubeObjectRef,
} from '@netloom/ports';
import { KIND_API_VERSIONS, OWNER_API_VERSIONS, isKubeKind, isNamespaced, uidFor } from './scenario.ids';

/** The `apiVersion` of a scenario file. */
export const SCENARIO_API_VERSION = 'netloom.io/v1alpha1';

const SUPPORTED = KUBE_KINDS.join(', ');

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null && !Array.isArray(u);

/** A string that is not empty. */
export const NonEmptyString = new t.Type<string, string, unknown>(
  'non-empty string',
  (u): u is string => typeof u === 'string' && u !== '',
  (u, c) => (typeof u !== 'string' ? typeMismatch(u, c, `expected a string, got ${describeValue(u)}`) : u === '' ? t.failure(u, c, 'must not be empty') : t.success(u)),
  t.identity,
);

/** A kind netloom reads; anything else is the problem `unknown kind "X" (supported: ...)`. */
export const ScenarioKindCodec = new t.Type<KubeKind, string, unknown>(
  'kind',
  isKubeKind,
  (u, c) => (isKubeKind(u) ? t.success(u) : t.failure(u, c, typeof u === 'string' ? `unknown kind ${JSON.stringify(u)} (supported: ${SUPPORTED})` : `expected one of ${SUPPORTED}, got ${describeValue(u)}`)),
  t.identity,
);

/**
 * The paths of fields in `input` that decoding dropped (the port's codecs strip fields netloom does not read): used
 * to reject typos where netloom defines the whole shape (its CRs, the statuses it writes).
 */
export function droppedFields(input: unknown, decoded: unknown): (string | number)[][] {
  const out: (string | number)[][] = [];
  unknownFields(input, decoded, [], out);
  return out;
}

function unknownFields(input: unknown, decoded: unknown, path: (string | number)[], out: (string | number)[][]): void {
  if (Array.isArray(input) && Array.isArray(decoded)) {
    input.forEach((v, i) => unknownFields(v, decoded[i], [...path, i], out));
    return;
  }
  if (!isRecord(input) || !isRecord(decoded)) return;
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (!Object.prototype.hasOwnProperty.call(decoded, k)) out.push([...path, k]);
    else unknownFields(v, decoded[k], [...path, k], out);
  }
}

const CRD_KINDS: ReadonlySet<KubeKind> = new Set<KubeKind>(['Subnet', 'VpcPeering', 'SecurityGroup']);

/**
 * One object of a step's `apply` list: `kind` selects the port codec; `metadata.uid` left out decodes as `''` (the
 * source fills a deterministic uid), `metadata.resourceVersion` decodes as `'0'` (the source assigns the real one).
 */
export const ScenarioObjectCodec: t.Type<KubeObject, unknown, unknown> = Object.assign(
  new t.Type<KubeObject, unknown, unknown>(
    'Kubernetes object',
    (u): u is KubeObject => isRecord(u) && isKubeKind(u['kind']) && KUBE_OBJECT_CODECS[u['kind']].is(u),
    (u, c) => {
      if (!isRecord(u)) return typeMismatch(u, c, `expected a Kubernetes object ({ kind, metadata, ... }), got ${describeValue(u)}`);
      const kind = u['kind'];
      if (!isKubeKind(kind)) {
        const reason = kind === undefined ? `required (one of ${SUPPORTED})` : typeof kind === 'string' ? `unknown kind ${JSON.stringify(kind)} (supported: ${SUPPORTED})` : `expected one of ${SUPPORTED}, got ${describeValue(kind)}`;
        return t.failures([failureAt(c, ['kind'], kind, reason)]);
      }
      const errors: t.ValidationError[] = [];
      const apiVersion = u['apiVersion'];
      if (apiVersion !== undefined && apiVersion !== KIND_API_VERSIONS[kind]) {
        errors.push(failureAt(c, ['apiVersion'], apiVersion, `${describeValue(apiVersion)} is not the apiVersion of ${kind} (${KIND_API_VERSIONS[kind]}; it may be left out)`));
      }
      let input: Record<string, unknown> = u;
      const meta = u['metadata'];
      if (isRecord(meta)) {
        if (meta['resourceVersion'] !== undefined) errors.push(failureAt(c, ['metadata', 'resourceVersion'], meta['resourceVersion'], 'is assigned by the scenario source: leave it out'));
        if (meta['name'] === '') errors.push(failureAt(c, ['metadata', 'name'], '', 'must not be empty'));
        const ns = meta['namespace'];
        if (isNamespaced(kind) && ns === undefined) errors.push(failureAt(c, ['metadata', 'namespace'], ns, `required (${kind} is namespaced)`));
        if (!isNamespaced(kind) && ns !== undefined) errors.push(failureAt(c, ['metadata', 'namespace'], ns, `${kind} is cluster-scoped: leave it out`));
        const owners = meta['ownerReferences'];
        const filledOwners = Array.isArray(owners)
          ? owners.map((o: unknown) => {
              if (!isRecord(o) || typeof o['kind'] !== 'string' || typeof o['name'] !== 'string') return o;
              const ownerNs = isKubeKind(o['kind']) && !isNamespaced(o['kind']) ? undefined : typeof ns === 'string' ? ns : undefined;
              return {
                ...o,
                apiVersion: o['apiVersion'] ?? OWNER_API_VERSIONS[o['kind']],
                uid: o['uid'] ?? uidFor({ kind: o['kind'], namespace: ownerNs, name: o['name'] }),
              };
            })
          : owners;
        input = { ...u, metadata: { ...meta, uid: meta['uid'] ?? '', resourceVersion: '0', ...(owners === undefined ? {} : { ownerReferences: filledOwners }) } };
      }
      const r = KUBE_OBJECT_CODECS[kind].validate(input, c);
      if (r._tag === 'Left') return t.failures([...r.left, ...errors]);
      if (CRD_KINDS.has(kind)) {
        const extra: (string | number)[][] = [];
        for (const part of ['spec', 'status'] as const) unknownFields(u[part], (r.right as Record<string, unknown>)[part], [part], extra);
        for (const k of Object.keys(u)) if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k)) extra.push([k]);
        for (const p of extra) errors.push(failureAt(c, p, undefined, `unknown field (the ${kind} CRD has no such field)`));
      }
      return errors.length > 0 ? t.failures(errors) : t.success(r.right as KubeObject);
    },
    t.identity,
  ),
  { netloomPathStyle: 'property' as const },
);

/** A reference in a step's `delete` list: `{ kind, namespace?, name }` (namespace exactly for namespaced kinds). */
export const ScenarioRefCodec: t.Type<KubeObjectRef, unknown, unknown> = (() => {
  const base = struct('ObjectReference', { kind: ScenarioKindCodec, name: NonEmptyString }, { namespace: NonEmptyString });
  return Object.assign(
    new t.Type<KubeObjectRef, unknown, unknown>(
      'ObjectReference',
      (u): u is KubeObjectRef => base.is(u),
      (u, c) => {
        const r = base.validate(u, c);
        if (r._tag === 'Left') return r;
        const { kind, namespace } = r.right;
        if (isNamespaced(kind) && namespace === undefined) return t.failures([failureAt(c, ['namespace'], undefined, `required (${kind} is namespaced)`)]);
        if (!isNamespaced(kind) && namespace !== undefined) return t.failures([failureAt(c, ['namespace'], namespace, `${kind} is cluster-scoped: leave it out`)]);
        return t.success(r.right);
      },
      t.identity,
    ),
    { netloomPathStyle: 'property' as const },
  );
})();

/** One step of the timeline. */
export const ScenarioStepCodec = struct(
  'Step',
  { name: NonEmptyString },
  { description: t.string, apply: t.readonlyArray(ScenarioObjectCodec, 'list of objects'), delete: t.readonlyArray(ScenarioRefCodec, 'list of references') },
);

/** A whole scenario file. */
export const ScenarioFileCodec = struct(
  'Scenario',
  {
    apiVersion: t.literal(SCENARIO_API_VERSION),
    kind: t.literal('Scenario'),
    metadata: struct('ScenarioMetadata', { name: NonEmptyString }, { description: t.string }),
    steps: t.readonlyArray(ScenarioStepCodec, 'list of steps'),
  },
  { include: t.readonlyArray(NonEmptyString, 'list of files') },
);
/** A decoded scenario file (before includes are resolved). */
export type ScenarioFile = t.TypeOf<typeof ScenarioFileCodec>;

/** One step, decoded. Objects carry `uid: ''` when the source is to fill it, and `resourceVersion: '0'`. */
export interface ScenarioStep {
  readonly name: string;
  readonly description?: string;
  /** Objects to create or update, in order. */
  readonly apply: readonly KubeObject[];
  /** Objects to delete (after the applies), in order. */
  readonly delete: readonly KubeObjectRef[];
  /** Where the step was written: `demo.yaml steps[2]`. */
  readonly origin: string;
}

/** A loaded scenario: its steps in play order (those of included files first). */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** The file (or the name given to `parseScenario`) it came from. */
  readonly source: string;
  /** Files included (resolved paths, in the order their steps come), recursively. */
  readonly includes: readonly string[];
  readonly steps: readonly ScenarioStep[];
}
