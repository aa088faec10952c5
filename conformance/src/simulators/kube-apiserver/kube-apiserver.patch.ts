/**
 * The patch formats of `PATCH` requests: JSON merge patch (RFC 7386; also used for strategic merge patches, which
 * for netloom's kinds differ only in list handling) and JSON patch (RFC 6902).
 *
 * @packageDocumentation
 */

/** A patch the server cannot apply (answered 422 for JSON patch test failures and bad paths, 400 for bad bodies). */
export class KubePatchError extends Error {
  constructor(
    message: string,
    /** 400: the patch is not a patch; 422: it does not apply to this object. */
    readonly code: 400 | 422,
  ) {
    super(message);
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * RFC 7386 JSON merge patch: objects merge recursively, `null` deletes a key, anything else (lists too) replaces.
 * @example mergePatch({ a: 1, b: { c: 2 } }, { b: { c: null, d: 3 } }) // { a: 1, b: { d: 3 } }
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface JsonPatchOp {
  readonly op: string;
  readonly path: string;
  readonly from?: string;
  readonly value?: unknown;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new KubePatchError(`invalid JSON pointer ${JSON.stringify(path)}`, 422);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, parts: readonly string[], path: string): { parent: Record<string, unknown> | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const p of parts.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isRecord(cur)) cur = cur[p];
    else cur = undefined;
    if (cur === undefined) throw new KubePatchError(`doc is missing path: "${path}"`, 422);
  }
  if (!Array.isArray(cur) && !isRecord(cur)) throw new KubePatchError(`doc is missing path: "${path}"`, 422);
  return { parent: cur, key: parts[parts.length - 1]! };
}

function getAt(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const p of pointer(path)) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isRecord(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

function arrayIndex(arr: unknown[], key: string, path: string, forInsert: boolean): number {
  if (key === '-' && forInsert) return arr.length;
  if (!/^(0|[1-9]\d*)$/.test(key)) throw new KubePatchError(`invalid array index ${JSON.stringify(key)} in "${path}"`, 422);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i === arr.length)) throw new KubePatchError(`array index out of bounds in "${path}"`, 422);
  return i;
}

function removeAt(doc: unknown, path: string): unknown {
  const parts = pointer(path);
  if (parts.length === 0) throw new KubePatchError('cannot remove the whole document', 422);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, path, false), 1)[0];
  if (!(key in parent)) throw new KubePatchError(`Unable to remove nonexistent key: ${key}: missing value`, 422);
  const old = parent[key];
  delete parent[key];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  const parts = pointer(path);
  if (parts.length === 0) return structuredClone(value);
  const { parent, key } = parentOf(doc, parts, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(parent, key, path, !replace);
    if (replace) parent[i] = structuredClone(value);
    else parent.splice(i, 0, structuredClone(value));
  } else {
    if (replace && !(key in parent)) throw new KubePatchError(`replace operation does not apply: doc is missing key: ${path}: missing value`, 422);
    parent[key] = structuredClone(value);
  }
  return doc;
}

/**
 * RFC 6902 JSON patch (`add`, `remove`, `replace`, `move`, `copy`, `test`) on a copy of `doc`.
 * @throws KubePatchError (400: not a list of operations; 422: an operation does not apply or a test failed)
 * @example jsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }]) // { a: [1, 2] }
 */
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new KubePatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  let out = structuredClone(doc);
  for (const raw of ops) {
    if (!isRecord(raw) || typeof raw['op'] !== 'string' || typeof raw['path'] !== 'string') throw new KubePatchError('every JSON patch operation needs "op" and "path"', 400);
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case 'add':
        out = addAt(out, op.path, op.value, false);
        break;
      case 'replace':
        out = addAt(out, op.path, op.value, true);
        break;
      case 'remove':
        removeAt(out, op.path);
        break;
      case 'move': {
        const v = removeAt(out, op.from ?? '');
        out = addAt(out, op.path, v, false);
        break;
      }
      case 'copy':
        out = addAt(out, op.path, getAt(out, op.from ?? ''), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(out, op.path)) !== JSON.stringify(op.value)) throw new KubePatchError(`testing value ${op.path} failed: test failed`, 422);
        break;
      default:
        throw new KubePatchError(`Unexpected kind: ${op.op}`, 400);
    }
  }
  return out;
}
