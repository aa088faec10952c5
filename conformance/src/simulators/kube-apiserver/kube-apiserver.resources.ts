/**
 * What the test API server serves: the built-in resources netloom touches (core v1 namespaces, nodes, pods,
 * services, events; discovery.k8s.io/v1 endpointslices; coordination.k8s.io/v1 leases; events.k8s.io/v1 events;
 * apiextensions.k8s.io/v1 customresourcedefinitions, read-only) and the custom resources of CRD manifests
 * (`apiextensions.k8s.io/v1` `CustomResourceDefinition` YAML, e.g. `deploy/crds/*.yaml`), with the discovery
 * documents client libraries read.
 *
 * @packageDocumentation
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { InputError, type InputProblem } from '@netloom/ports';
import type { KubeJsonSchema } from './kube-apiserver.schema';

/** One printer column of a CRD version (`additionalPrinterColumns`). */
export interface KubePrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
}

/** A resource the server serves. */
export interface KubeResourceDef {
  /** API group (`''` for core). */
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly listKind: string;
  /** The resource name in URLs (`pods`). */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
  /** A `/status` subresource (writes to the main resource keep the status; `/status` writes change only it). */
  readonly statusSubresource: boolean;
  /** Fields a `fieldSelector` may name (`metadata.name` and `metadata.namespace` always). */
  readonly selectableFields: readonly string[];
  /** Only get, list and watch. */
  readonly readOnly: boolean;
  /** True for custom resources (validated and pruned by {@link KubeResourceDef.schema}). */
  readonly custom: boolean;
  /** The CR's `openAPIV3Schema`; for built-ins a partial schema of fields that are checked (nothing pruned). */
  readonly schema?: KubeJsonSchema;
  readonly printerColumns: readonly KubePrinterColumn[];
  /** `PUT` without `metadata.resourceVersion` is refused (custom resources), else an unconditional update. */
  readonly requireResourceVersionOnUpdate: boolean;
}

/** `apiVersion` text of a resource (`v1`, `netloom.io/v1alpha1`). */
export const apiVersionOf = (r: Pick<KubeResourceDef, 'group' | 'version'>): string => (r.group === '' ? r.version : `${r.group}/${r.version}`);
/** A key unique per resource (`/pods`, `netloom.io/subnets`). */
export const resourceKeyOf = (r: Pick<KubeResourceDef, 'group' | 'plural'>): string => `${r.group}/${r.plural}`;
/** The qualified resource name as error texts show it (`pods`, `subnets.netloom.io`). */
export const qualifiedNameOf = (r: Pick<KubeResourceDef, 'group' | 'plural'>): string => (r.group === '' ? r.plural : `${r.plural}.${r.group}`);

const META_FIELDS = ['metadata.name', 'metadata.namespace'];

const MICRO_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';

const LEASE_SCHEMA: KubeJsonSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        holderIdentity: { type: 'string', nullable: true },
        leaseDurationSeconds: { type: 'integer', minimum: 1, nullable: true },
        leaseTransitions: { type: 'integer', minimum: 0, nullable: true },
        acquireTime: { type: 'string', pattern: MICRO_TIME, nullable: true },
        renewTime: { type: 'string', pattern: MICRO_TIME, nullable: true },
      },
    },
  },
};

const CORE_EVENT_SCHEMA: KubeJsonSchema = {
  type: 'object',
  required: ['involvedObject'],
  properties: {
    involvedObject: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } } },
    reason: { type: 'string', maxLength: 128 },
    message: { type: 'string' },
    type: { type: 'string', enum: ['Normal', 'Warning'] },
    count: { type: 'integer', minimum: 0 },
  },
};

const EVENTS_V1_SCHEMA: KubeJsonSchema = {
  type: 'object',
  required: ['eventTime', 'reportingController', 'reportingInstance', 'action', 'reason', 'type'],
  properties: {
    regarding: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } } },
    reason: { type: 'string', maxLength: 128 },
    note: { type: 'string', maxLength: 1024 },
    type: { type: 'string', enum: ['Normal', 'Warning'] },
    action: { type: 'string', maxLength: 128 },
    eventTime: { type: 'string', pattern: MICRO_TIME },
  },
};

function builtin(
  group: string,
  version: string,
  kind: string,
  plural: string,
  namespaced: boolean,
  more: Partial<Pick<KubeResourceDef, 'shortNames' | 'statusSubresource' | 'selectableFields' | 'readOnly' | 'schema'>> = {},
): KubeResourceDef {
  return {
    group,
    version,
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: more.shortNames ?? [],
    namespaced,
    statusSubresource: more.statusSubresource ?? false,
    selectableFields: [...META_FIELDS, ...(more.selectableFields ?? [])],
    readOnly: more.readOnly ?? false,
    custom: false,
    ...(more.schema === undefined ? {} : { schema: more.schema }),
    printerColumns: [],
    requireResourceVersionOnUpdate: false,
  };
}

/** The built-in resources the server serves. */
export function builtinResources(): KubeResourceDef[] {
  return [
    builtin('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], statusSubresource: true, selectableFields: ['status.phase'] }),
    builtin('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], statusSubresource: true, selectableFields: ['spec.unschedulable'] }),
    builtin('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], statusSubresource: true, selectableFields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'] }),
    builtin('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], statusSubresource: true, selectableFields: ['spec.clusterIP', 'spec.type'] }),
    builtin('', 'v1', 'Event', 'events', true, {
      shortNames: ['ev'],
      schema: CORE_EVENT_SCHEMA,
      selectableFields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
    }),
    builtin('discovery.k8s.io', 'v1', 'EndpointSlice', 'endpointslices', true, { selectableFields: ['addressType'] }),
    builtin('coordination.k8s.io', 'v1', 'Lease', 'leases', true, { schema: LEASE_SCHEMA }),
    builtin('events.k8s.io', 'v1', 'Event', 'events', true, {
      shortNames: ['ev'],
      schema: EVENTS_V1_SCHEMA,
      selectableFields: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'regarding.apiVersion', 'reason', 'reportingController', 'type'],
    }),
    builtin('apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, { shortNames: ['crd', 'crds'], statusSubresource: true, readOnly: true }),
  ];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The resources of one CRD manifest (one per served version), after checking the parts the server relies on.
 * @throws InputError listing every problem with its path (prefixed with `where`).
 */
export function resourcesFromCrd(crd: unknown, where: string): KubeResourceDef[] {
  const problems: InputProblem[] = [];
  const bad = (path: string, reason: string): void => void problems.push({ path: `${where}${path === '' ? '' : `: ${path}`}`, reason });
  if (!isRecord(crd)) throw InputError.fromProblems('CustomResourceDefinition', [{ path: where, reason: 'not an object' }]);
  if (crd['apiVersion'] !== 'apiextensions.k8s.io/v1') bad('apiVersion', `expected "apiextensions.k8s.io/v1", got ${JSON.stringify(crd['apiVersion'])}`);
  if (crd['kind'] !== 'CustomResourceDefinition') bad('kind', `expected "CustomResourceDefinition", got ${JSON.stringify(crd['kind'])}`);
  const spec = isRecord(crd['spec']) ? crd['spec'] : {};
  const names = isRecord(spec['names']) ? spec['names'] : {};
  const group = spec['group'];
  const plural = names['plural'];
  const kind = names['kind'];
  if (typeof group !== 'string' || !group.includes('.')) bad('spec.group', 'required: a DNS subdomain with at least one dot');
  if (typeof plural !== 'string' || !DNS_LABEL.test(plural)) bad('spec.names.plural', 'required: a lowercase DNS label');
  if (typeof kind !== 'string' || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) bad('spec.names.kind', 'required: an UpperCamelCase kind');
  const metaName = isRecord(crd['metadata']) ? crd['metadata']['name'] : undefined;
  if (typeof plural === 'string' && typeof group === 'string' && metaName !== `${plural}.${group}`) bad('metadata.name', `must be "${String(plural)}.${String(group)}" (spec.names.plural + "." + spec.group)`);
  const scope = spec['scope'];
  if (scope !== 'Namespaced' && scope !== 'Cluster') bad('spec.scope', 'must be "Namespaced" or "Cluster"');
  const versions = Array.isArray(spec['versions']) ? spec['versions'] : [];
  if (versions.length === 0) bad('spec.versions', 'required: at least one version');
  const storage = versions.filter((v) => isRecord(v) && v['storage'] === true).length;
  if (versions.length > 0 && storage !== 1) bad('spec.versions', `exactly one version must be the storage version (got ${storage})`);
  const out: KubeResourceDef[] = [];
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!isRecord(v)) return bad(p, 'not an object');
    if (typeof v['name'] !== 'string') bad(`${p}.name`, 'required');
    const schema = isRecord(v['schema']) ? v['schema']['openAPIV3Schema'] : undefined;
    if (!isRecord(schema)) return bad(`${p}.schema.openAPIV3Schema`, 'required (a structural schema)');
    if (schema['type'] !== 'object') bad(`${p}.schema.openAPIV3Schema.type`, 'must be "object"');
    if (v['served'] !== true) return;
    const sub = isRecord(v['subresources']) ? v['subresources'] : {};
    const columns = Array.isArray(v['additionalPrinterColumns']) ? v['additionalPrinterColumns'] : [];
    columns.forEach((c, j) => {
      if (!isRecord(c) || typeof c['name'] !== 'string' || typeof c['type'] !== 'string' || typeof c['jsonPath'] !== 'string') bad(`${p}.additionalPrinterColumns[${j}]`, 'needs name, type and jsonPath');
      else if (!c['jsonPath'].startsWith('.')) bad(`${p}.additionalPrinterColumns[${j}].jsonPath`, 'must start with "."');
    });
    const selectable = Array.isArray(v['selectableFields']) ? v['selectableFields'].filter(isRecord).map((f) => String(f['jsonPath']).replace(/^\./, '')) : [];
    out.push({
      group: String(group),
      version: String(v['name']),
      kind: String(kind),
      listKind: typeof names['listKind'] === 'string' ? names['listKind'] : `${String(kind)}List`,
      plural: String(plural),
      singular: typeof names['singular'] === 'string' ? names['singular'] : String(kind).toLowerCase(),
      shortNames: Array.isArray(names['shortNames']) ? names['shortNames'].map(String) : [],
      namespaced: scope === 'Namespaced',
      statusSubresource: isRecord(sub['status']),
      selectableFields: [...META_FIELDS, ...selectable],
      readOnly: false,
      custom: true,
      schema: schema as KubeJsonSchema,
      printerColumns: columns.filter(isRecord) as unknown as KubePrinterColumn[],
      requireResourceVersionOnUpdate: true,
    });
  });
  if (problems.length > 0) throw InputError.fromProblems('CustomResourceDefinition', problems);
  return out;
}

/**
 * Reads every `*.yaml` / `*.yml` / `*.json` file of a directory (sorted by name) and returns the CRD manifests in
 * them (other kinds are ignored), each with the file it came from.
 * @throws InputError (unreadable directory, YAML syntax errors)
 */
export async function loadCrdManifests(dir: string): Promise<{ readonly file: string; readonly crd: Record<string, unknown> }[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  } catch (err) {
    throw new InputError(`CRD directory ${dir} cannot be read`, [{ path: 'crdDir', reason: (err as Error).message }], { cause: err });
  }
  const out: { file: string; crd: Record<string, unknown> }[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const text = await readFile(file, 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (!('errors' in doc) || doc.errors.length > 0) {
        const first = 'errors' in doc ? doc.errors[0] : undefined;
        throw new InputError(`CRD file ${file} is not valid YAML`, [{ path: f, reason: first?.message ?? 'unreadable document' }]);
      }
      const value: unknown = doc.toJS();
      if (isRecord(value) && value['kind'] === 'CustomResourceDefinition') out.push({ file, crd: value });
    }
  }
  return out;
}
