/**
 * How an adapter package describes itself: `defineAdapter({...})`, exported as `adapter` from the package's entry
 * point, mirrored by a `"netloom"` field in its package.json so tooling can read it without loading code.
 *
 * ```ts
 * export const adapter = defineAdapter({
 *   id: 'huawei-ce', vendor: 'Huawei', portApi: '^1.0.0',
 *   models: { sysObjectIdPrefixes: ['1.3.6.1.4.1.2011.2.239'], modelPatterns: ['^CE\\d+'] },
 *   ports: { fabric: (opts) => new HuaweiCeFabricDriver(opts) },
 *   supports: { fabric: { l2Segment: true, vrf: true, anycastGateway: true, accessBinding: true,
 *                         interconnect: false, confirmedCommit: true } },
 * });
 * ```
 * package.json: `"netloom": { "id": "huawei-ce", "ports": ["fabric"], "portApi": "^1.0.0" }`.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { InputError, type InputProblem } from '@netloom/domain';
import { ADDED_CAPABILITIES, CAPABILITY_NAMES, type CapabilityManifest } from './capabilities';
import { PORT_KINDS, PortKindCodec, type PortFactoryOptions, type PortKind } from './device.port';
import type { DiscoveryPort } from './discovery.port';
import type { FabricDriver } from './fabric.port';
import type { FirewallDriver } from './firewall.port';
import type { KubernetesFactoryOptions, KubernetesPort } from './kubernetes.port';
import type { LoadBalancerDriver } from './load-balancer.port';
import type { StoreFactoryOptions, StorePort } from './store.port';
import type { VSwitchDriver } from './vswitch.port';

/** The factories an adapter provides, one per port. */
export interface PortFactories {
  readonly fabric?: (opts: PortFactoryOptions) => FabricDriver;
  readonly vswitch?: (opts: PortFactoryOptions) => VSwitchDriver;
  readonly firewall?: (opts: PortFactoryOptions) => FirewallDriver;
  readonly loadBalancer?: (opts: PortFactoryOptions) => LoadBalancerDriver;
  readonly kubernetes?: (opts: KubernetesFactoryOptions) => KubernetesPort | Promise<KubernetesPort>;
  readonly store?: (opts: StoreFactoryOptions) => StorePort | Promise<StorePort>;
  readonly discovery?: (opts: PortFactoryOptions) => DiscoveryPort;
}

/** Which devices an adapter fits (for discovery: sysObjectID prefixes, model name patterns). */
export interface ModelMatchers {
  readonly sysObjectIdPrefixes?: readonly string[];
  /** Regular expressions (source text) matched against the device's model. */
  readonly modelPatterns?: readonly string[];
}

/** What an adapter package declares. */
export interface AdapterDefinition {
  /** Kebab-case id, unique among adapters (`huawei-ce`). */
  readonly id: string;
  readonly vendor: string;
  readonly description?: string;
  readonly models?: ModelMatchers;
  /** The semver range of port API versions implemented (`^1.0.0`). */
  readonly portApi: string;
  readonly ports: PortFactories;
  /** Capabilities per provided port; exactly the provided ports, every capability name of each. */
  readonly supports: CapabilityManifest;
  /**
   * Validates the adapter-specific `options` of an inventory entry in the profile. Absent: the adapter takes no
   * options (any given are an error).
   */
  readonly optionsCodec?: t.Mixed;
}

/** The package.json `"netloom"` field of an adapter package. */
export const AdapterPackageFieldCodec = t.type({
  id: t.string,
  ports: t.array(PortKindCodec),
  portApi: t.string,
});
/** The package.json `"netloom"` field of an adapter package. */
export type AdapterPackageField = t.TypeOf<typeof AdapterPackageFieldCodec>;

const ADAPTER_ID = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The ports an adapter definition provides, in PORT_KINDS order. */
export function providedPorts(def: Pick<AdapterDefinition, 'ports'>): PortKind[] {
  return PORT_KINDS.filter((p) => def.ports[p] !== undefined);
}

/** Every problem with an adapter definition (empty when valid). */
export function checkAdapterDefinition(def: AdapterDefinition): InputProblem[] {
  const problems: InputProblem[] = [];
  if (typeof def.id !== 'string' || !ADAPTER_ID.test(def.id)) problems.push({ path: 'id', reason: `${JSON.stringify(def.id)} is not a kebab-case id` });
  if (typeof def.vendor !== 'string' || def.vendor.trim() === '') problems.push({ path: 'vendor', reason: 'required' });
  if (typeof def.portApi !== 'string' || def.portApi.trim() === '') problems.push({ path: 'portApi', reason: 'required (a semver range such as ^1.0.0)' });
  const provided = providedPorts(def);
  if (provided.length === 0) problems.push({ path: 'ports', reason: 'an adapter must provide at least one port' });
  for (const p of Object.keys(def.ports)) {
    if (!(PORT_KINDS as readonly string[]).includes(p)) problems.push({ path: `ports.${p}`, reason: `unknown port (known: ${PORT_KINDS.join(', ')})` });
  }
  for (const p of Object.keys(def.supports)) {
    if (!(PORT_KINDS as readonly string[]).includes(p)) problems.push({ path: `supports.${p}`, reason: 'unknown port' });
    else if (!provided.includes(p as PortKind)) problems.push({ path: `supports.${p}`, reason: 'capabilities declared for a port the adapter does not provide' });
  }
  for (const p of provided) {
    const caps = def.supports[p] as Record<string, unknown> | undefined;
    if (caps === undefined) {
      problems.push({ path: `supports.${p}`, reason: 'required for a provided port' });
      continue;
    }
    const names: readonly string[] = CAPABILITY_NAMES[p];
    const added: readonly string[] = ADDED_CAPABILITIES[p];
    for (const n of names) {
      // A name added by a later minor may be absent (= false): adapters written before it stay valid.
      if (caps[n] === undefined && added.includes(n)) continue;
      if (typeof caps[n] !== 'boolean') problems.push({ path: `supports.${p}.${n}`, reason: 'must be true or false' });
    }
    for (const n of Object.keys(caps)) {
      if (!names.includes(n)) problems.push({ path: `supports.${p}.${n}`, reason: `unknown capability (known: ${names.join(', ')})` });
    }
  }
  for (const [i, src] of (def.models?.modelPatterns ?? []).entries()) {
    try {
      new RegExp(src);
    } catch {
      problems.push({ path: `models.modelPatterns[${i}]`, reason: 'not a valid regular expression' });
    }
  }
  return problems;
}

/**
 * Declares an adapter. Checks the definition and throws `InputError` listing every problem, so a broken adapter
 * fails when its package is loaded, not when a device is first touched.
 */
export function defineAdapter<D extends AdapterDefinition>(def: D): D {
  const problems = checkAdapterDefinition(def);
  if (problems.length > 0) throw InputError.fromProblems(`adapter ${JSON.stringify(def.id)}`, problems);
  return Object.freeze(def);
}

/**
 * Every difference between an adapter definition and its package.json `"netloom"` field (empty when they agree).
 */
export function compareAdapterPackageField(def: AdapterDefinition, field: AdapterPackageField): InputProblem[] {
  const problems: InputProblem[] = [];
  if (field.id !== def.id) problems.push({ path: 'netloom.id', reason: `is ${JSON.stringify(field.id)} but the adapter's id is ${JSON.stringify(def.id)}` });
  if (field.portApi !== def.portApi) problems.push({ path: 'netloom.portApi', reason: `is ${JSON.stringify(field.portApi)} but the adapter declares ${JSON.stringify(def.portApi)}` });
  const a = [...field.ports].sort().join(',');
  const b = providedPorts(def).sort().join(',');
  if (a !== b) problems.push({ path: 'netloom.ports', reason: `lists [${a}] but the adapter provides [${b}]` });
  return problems;
}
