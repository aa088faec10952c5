/**
 * The part of the API server's custom-resource handling that decides what a CR may hold: pruning of unknown fields,
 * defaulting, and validation against the CRD's structural OpenAPI v3 schema (`openAPIV3Schema`), with the API
 * server's field paths and message texts (`spec.cidrs[0]: Invalid value: "10.0.0.0/33": spec.cidrs[0] in body
 * should match '^…$'`).
 *
 * Supported keywords: `type` (object, array, string, integer, number, boolean), `properties`, `required`,
 * `additionalProperties` (a schema), `items`, `enum`, `pattern`, `minimum`/`maximum` (with `exclusiveMinimum`/
 * `exclusiveMaximum` as booleans), `minLength`/`maxLength`, `minItems`/`maxItems`, `uniqueItems`,
 * `minProperties`/`maxProperties`, `nullable`, `default`, `anyOf`/`oneOf`/`allOf`/`not` (value validations only, as
 * structural schemas allow), `x-kubernetes-int-or-string`, `x-kubernetes-preserve-unknown-fields`, `x-kubernetes-list-type`
 * (`set`, `map` with `x-kubernetes-list-map-keys`: duplicates are refused). Not evaluated:
 * `format` and CEL rules (`x-kubernetes-validations`).
 *
 * @packageDocumentation
 */

/** A (structural) OpenAPI v3 schema node as a CRD holds it. */
export interface KubeJsonSchema {
  readonly type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  readonly description?: string;
  readonly properties?: Readonly<Record<string, KubeJsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: KubeJsonSchema | boolean;
  readonly items?: KubeJsonSchema;
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly nullable?: boolean;
  readonly default?: unknown;
  readonly anyOf?: readonly KubeJsonSchema[];
  readonly oneOf?: readonly KubeJsonSchema[];
  readonly allOf?: readonly KubeJsonSchema[];
  readonly not?: KubeJsonSchema;
  readonly format?: string;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  /** `set`: items are unique; `map`: items are unique by {@link KubeJsonSchema['x-kubernetes-list-map-keys']}. */
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
}

/** One problem, as the API server lists it in `Status.details.causes`. */
export interface KubeStatusCause {
  /** `FieldValueRequired`, `FieldValueInvalid`, `FieldValueTypeInvalid`, `FieldValueNotSupported`, `FieldValueTooMany`, `FieldValueTooLong`. */
  readonly reason: string;
  /** The text after the field, e.g. `Required value`. */
  readonly message: string;
  /** The field path, e.g. `spec.cidrs[0]`. */
  readonly field: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How the API server prints a value in `Invalid value: …`. */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  return JSON.stringify(Array.isArray(v) ? 'array' : 'object');
}

function typeOfValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function child(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/**
 * Drops what the schema does not define (unless `x-kubernetes-preserve-unknown-fields`), and `null` where not
 * `nullable`; returns the pruned value and the paths dropped (for `fieldValidation=Warn|Strict`). Nulls are
 * dropped silently (not reported), as the API server does.
 */
export function pruneBySchema(value: unknown, schema: KubeJsonSchema, path = ''): { readonly value: unknown; readonly unknown: readonly string[] } {
  const unknown: string[] = [];
  const walk = (v: unknown, s: KubeJsonSchema, p: string): unknown => {
    if (Array.isArray(v)) return s.items === undefined ? v : v.map((x, i) => walk(x, s.items!, `${p}[${i}]`));
    if (!isRecord(v)) return v;
    if (s.type !== 'object' && s.properties === undefined && s.additionalProperties === undefined) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const sub = s.properties?.[k] ?? (isRecord(s.additionalProperties) ? (s.additionalProperties as KubeJsonSchema) : undefined);
      if (x === null && sub !== undefined && sub.nullable !== true) continue;
      if (sub === undefined) {
        if (s['x-kubernetes-preserve-unknown-fields'] === true || s.additionalProperties === true) out[k] = x;
        else unknown.push(child(p, k));
        continue;
      }
      out[k] = walk(x, sub, child(p, k));
    }
    return out;
  };
  return { value: walk(value, schema, path), unknown };
}

/** Fills in `default`s of absent properties inside objects that exist (as the API server does). */
export function applyDefaults(value: unknown, schema: KubeJsonSchema): unknown {
  if (Array.isArray(value)) return schema.items === undefined ? value : value.map((x) => applyDefaults(x, schema.items!));
  if (!isRecord(value) || schema.properties === undefined) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, sub] of Object.entries(schema.properties)) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = structuredClone(sub.default);
    if (out[k] !== undefined) out[k] = applyDefaults(out[k], sub);
  }
  return out;
}

/**
 * Validates a (pruned) value against a schema. Returns every problem, not just the first.
 * @example validateBySchema({ vni: 0 }, { type: 'object', properties: { vni: { type: 'integer', minimum: 1 } } }, 'status')
 * // [{ reason: 'FieldValueInvalid', field: 'status.vni', message: 'Invalid value: 0: status.vni in body should be greater than or equal to 1' }]
 */
export function validateBySchema(value: unknown, schema: KubeJsonSchema, path: string): KubeStatusCause[] {
  const causes: KubeStatusCause[] = [];
  const add = (reason: string, field: string, message: string): void => void causes.push({ reason, field, message });
  const at = (p: string): string => p || '<root>';

  const walk = (v: unknown, s: KubeJsonSchema, p: string): void => {
    if (v === null) {
      if (s.nullable !== true) add('FieldValueTypeInvalid', p, `Invalid value: "null": ${at(p)} in body must be of type ${s.type ?? 'object'}: "null"`);
      return;
    }
    const actual = typeOfValue(v);
    if (s['x-kubernetes-int-or-string'] === true) {
      if (actual !== 'integer' && actual !== 'string') {
        add('FieldValueTypeInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body must be of type integer,string: ${JSON.stringify(actual)}`);
        return;
      }
    } else if (s.type !== undefined) {
      const ok = s.type === actual || (s.type === 'number' && actual === 'integer');
      if (!ok) {
        add('FieldValueTypeInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body must be of type ${s.type}: ${JSON.stringify(actual)}`);
        return;
      }
    }
    if (s.enum !== undefined && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      add('FieldValueNotSupported', p, `Unsupported value: ${show(v)}: supported values: ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
    if (typeof v === 'string') {
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) add('FieldValueInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body should match '${s.pattern}'`);
      const len = [...v].length;
      if (s.maxLength !== undefined && len > s.maxLength) add('FieldValueTooLong', p, `Too long: may not be more than ${s.maxLength} bytes`);
      if (s.minLength !== undefined && len < s.minLength) add('FieldValueInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body should be at least ${s.minLength} chars long`);
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && (s.exclusiveMinimum === true ? v <= s.minimum : v < s.minimum)) {
        add('FieldValueInvalid', p, `Invalid value: ${v}: ${at(p)} in body should be greater than ${s.exclusiveMinimum === true ? '' : 'or equal to '}${s.minimum}`);
      }
      if (s.maximum !== undefined && (s.exclusiveMaximum === true ? v >= s.maximum : v > s.maximum)) {
        add('FieldValueInvalid', p, `Invalid value: ${v}: ${at(p)} in body should be less than ${s.exclusiveMaximum === true ? '' : 'or equal to '}${s.maximum}`);
      }
    }
    if (Array.isArray(v)) {
      if (s.maxItems !== undefined && v.length > s.maxItems) add('FieldValueTooMany', p, `Too many: ${v.length}: must have at most ${s.maxItems} items`);
      if (s.minItems !== undefined && v.length < s.minItems) add('FieldValueInvalid', p, `Invalid value: ${v.length}: ${at(p)} in body should have at least ${s.minItems} items`);
      const listType = s['x-kubernetes-list-type'];
      if (s.uniqueItems === true || listType === 'set' || listType === 'map') {
        const keys = listType === 'map' ? (s['x-kubernetes-list-map-keys'] ?? []) : undefined;
        const seen = new Set<string>();
        v.forEach((x, i) => {
          const id = keys === undefined || !isRecord(x) ? x : Object.fromEntries(keys.map((k) => [k, x[k]]));
          const k = JSON.stringify(id);
          if (seen.has(k)) add('FieldValueDuplicate', `${p}[${i}]`, `Duplicate value: ${keys === undefined ? show(x) : k}`);
          seen.add(k);
        });
      }
      if (s.items !== undefined) v.forEach((x, i) => walk(x, s.items!, `${p}[${i}]`));
    }
    if (isRecord(v)) {
      const n = Object.keys(v).length;
      if (s.maxProperties !== undefined && n > s.maxProperties) add('FieldValueTooMany', p, `Too many: ${n}: must have at most ${s.maxProperties} items`);
      if (s.minProperties !== undefined && n < s.minProperties) add('FieldValueInvalid', p, `Invalid value: ${n}: ${at(p)} in body should have at least ${s.minProperties} properties`);
      for (const r of s.required ?? []) if (v[r] === undefined) add('FieldValueRequired', child(p, r), 'Required value');
      for (const [k, x] of Object.entries(v)) {
        const sub = s.properties?.[k] ?? (isRecord(s.additionalProperties) ? (s.additionalProperties as KubeJsonSchema) : undefined);
        if (sub !== undefined) walk(x, sub, child(p, k));
      }
    }
    // Junctors hold value validations only (structural schemas); they are checked against the same value.
    const passes = (sub: KubeJsonSchema): boolean => validateBySchema(v, sub, p).length === 0;
    if (s.allOf !== undefined) for (const sub of s.allOf) walk(v, sub, p);
    if (s.anyOf !== undefined && !s.anyOf.some(passes)) {
      const first = validateBySchema(v, s.anyOf[0]!, p);
      add('FieldValueInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body must match at least one schema (anyOf)${first[0] === undefined ? '' : `; for example: ${first[0].field}: ${first[0].message}`}`);
    }
    if (s.oneOf !== undefined) {
      const n = s.oneOf.filter(passes).length;
      if (n !== 1) add('FieldValueInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body must validate one and only one schema (oneOf). Found ${n === 0 ? 'none' : n} valid`);
    }
    if (s.not !== undefined && passes(s.not)) add('FieldValueInvalid', p, `Invalid value: ${show(v)}: ${at(p)} in body must not validate the schema (not)`);
  };
  walk(value, schema, path);
  return causes;
}
