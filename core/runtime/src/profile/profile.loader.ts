/**
 * Loading a deployment profile: YAML → codec + cross-field checks → defaults → paths resolved against the
 * profile's directory → warnings.
 *
 * Every problem is reported at once, each with its path, its reason and (where the YAML has it) its line.
 * Credentials are references; nothing here reads a secret (see `credentials.ts`, used when connecting).
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isLeft } from 'fp-ts/lib/Either';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { InputError, NotFoundError, type InputProblem } from '@netloom/ports';
import { formatPath, problemsFromErrors, type LocatedProblem, type Segment } from './codec-kit';
import { crossCheckProfile } from './profile.checks';
import { isPathSpecifier, KNOWN_PLUGINS, ProfileCodec, type CredentialsRef, type Profile, type UsernameRef } from './profile.codec';
import { closest } from './suggest';

/** A problem or warning in a profile: path, reason, and where it is in the file. */
export interface ProfileProblem extends InputProblem {
  /** 1-based line in the profile file, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
}

/** A valid profile and what is worth a second look (lab-only settings, unset environment variables, ...). */
export interface LoadedProfile {
  readonly profile: Profile;
  readonly warnings: readonly ProfileProblem[];
  /** Absolute path of the profile file (`<inline>` for text without a file). */
  readonly file: string;
  /** Directory that relative paths were resolved against. */
  readonly dir: string;
  /** Line and column of the YAML node at a path (or of its nearest ancestor in the file). */
  readonly locate: (segments: readonly Segment[]) => { line: number; column: number } | undefined;
}

/** Options of {@link loadProfile} / {@link parseProfile}. */
export interface LoadProfileOptions {
  /** Environment used to warn about unset credential variables (default `process.env`). */
  readonly env?: NodeJS.ProcessEnv;
  /** Warn about referenced files that do not exist (default true). */
  readonly checkFiles?: boolean;
}

/** Options of {@link parseProfile}. */
export interface ParseProfileOptions extends LoadProfileOptions {
  /** Name of the file in messages (default `<inline>`). */
  readonly file?: string;
  /** Directory that relative paths are resolved against (default: the file's directory, else the cwd). */
  readonly dir?: string;
}

/**
 * Reads and validates a deployment profile file.
 * @returns the profile with defaults filled in and relative paths made absolute, and its warnings.
 * @throws InputError listing every problem (`problems` carry path, reason, line, column); NotFoundError if the
 *   file does not exist.
 */
export function loadProfile(file: string, opts: LoadProfileOptions = {}): LoadedProfile {
  const abs = path.resolve(file);
  let source: string;
  try {
    source = fs.readFileSync(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError(`profile ${file} not found`, { details: { file: abs } });
    throw new InputError(`profile ${file} cannot be read (${code ?? (e as Error).message})`, [], { cause: e, details: { file: abs } });
  }
  return parseProfile(source, { ...opts, file: abs, dir: path.dirname(abs) });
}

/** Validates profile text (see {@link loadProfile}). */
export function parseProfile(source: string, opts: ParseProfileOptions = {}): LoadedProfile {
  const file = opts.file ?? '<inline>';
  const dir = opts.dir ?? (opts.file !== undefined ? path.dirname(path.resolve(opts.file)) : process.cwd());
  const subject = `profile ${displayPath(file)}`;
  const lines = new LineCounter();
  // prettyErrors off: the pretty form quotes the source line, which could hold a secret typed inline.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const warnings: ProfileProblem[] = [];

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = lines.linePos(e.pos[0]);
      return { path: '', reason: `YAML syntax error at line ${pos.line}, column ${pos.col}: ${firstLine(e.message)}`, line: pos.line, column: pos.col };
    });
    throw InputError.fromProblems(subject, problems);
  }
  for (const w of doc.warnings) {
    const pos = lines.linePos(w.pos[0]);
    warnings.push({ path: '', reason: `YAML: ${firstLine(w.message)}`, line: pos.line, column: pos.col });
  }

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw InputError.fromProblems(subject, [{ path: '', reason: `YAML: ${firstLine((e as Error).message)}` }]);
  }
  if (raw === null || raw === undefined) throw InputError.fromProblems(subject, [{ path: '', reason: 'the profile is empty' }]);

  const decoded = ProfileCodec.validate(raw, [{ key: '', type: ProfileCodec, actual: raw }]);
  const located: LocatedProblem[] = [...(isLeft(decoded) ? problemsFromErrors(decoded.left) : []), ...crossCheckProfile(raw)];
  if (located.length > 0 || isLeft(decoded)) {
    throw InputError.fromProblems(subject, sortByLine(located.map((p) => locate(doc, lines, p))));
  }

  const profile = resolvePaths(decoded.right, dir);
  warnings.push(...collectWarnings(profile, opts).map((p) => locate(doc, lines, p)));
  const locateAt = (segments: readonly Segment[]): { line: number; column: number } | undefined => {
    const p = locate(doc, lines, { segments, reason: '' });
    return p.line !== undefined && p.column !== undefined ? { line: p.line, column: p.column } : undefined;
  };
  return { profile, warnings: sortByLine(warnings), file, dir, locate: locateAt };
}

/** A file name for messages: relative to the working directory when below it, else as given. */
export function displayPath(file: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function firstLine(message: string): string {
  return message.split('\n')[0]?.trim() ?? message;
}

/** Attaches the line and column of the nearest node on the problem's path. */
function locate(doc: Document, lines: LineCounter, p: LocatedProblem): ProfileProblem {
  const out: ProfileProblem = { path: formatPath(p.segments), reason: p.reason };
  for (let n = p.segments.length; n >= 0; n--) {
    const node: unknown = n === 0 ? doc.contents : doc.getIn(p.segments.slice(0, n), true);
    if (isNode(node) && node.range !== undefined && node.range !== null) {
      const pos = lines.linePos(node.range[0]);
      out.line = pos.line;
      out.column = pos.col;
      break;
    }
  }
  return out;
}

/** Stable sort by line; problems without a line keep their order, after those with one. */
function sortByLine(problems: ProfileProblem[]): ProfileProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? Infinity) - (b.p.line ?? Infinity) || (a.p.column ?? 0) - (b.p.column ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

function resolveRef<R extends UsernameRef | undefined>(ref: R, dir: string): R {
  if (ref !== undefined && 'file' in ref) return { file: path.resolve(dir, ref.file) } as R;
  return ref;
}

function resolveCredentialsRef(c: CredentialsRef, dir: string): CredentialsRef {
  const out: Record<string, unknown> = { ...c };
  for (const k of ['username', 'password', 'token', 'privateKey'] as const) {
    if (c[k] !== undefined) out[k] = resolveRef(c[k], dir);
  }
  return out as CredentialsRef;
}

function resolveAdapter(spec: string, dir: string): string {
  return isPathSpecifier(spec) ? path.resolve(dir, spec) : spec;
}

/**
 * Makes every relative path in the profile absolute, against `dir`: the Kubernetes source file, credential and CA
 * files, known_hosts files, adapter paths, and the store's `options.path` (unless it starts with `:`, such as
 * sqlite's `:memory:`).
 */
export function resolvePaths(p: Profile, dir: string): Profile {
  const k = p.sources.kubernetes;
  const kubernetes =
    'scenario' in k ? { ...k, scenario: path.resolve(dir, k.scenario) } : 'kubeconfig' in k ? { ...k, kubeconfig: path.resolve(dir, k.kubeconfig) } : k;
  const devices = p.inventory.devices.map((d) => ({
    ...d,
    adapter: resolveAdapter(d.adapter, dir),
    ...(d.credentials !== undefined ? { credentials: resolveCredentialsRef(d.credentials, dir) } : {}),
    ...(d.tls !== undefined ? { tls: { ...d.tls, ...(d.tls.ca !== undefined ? { ca: { file: path.resolve(dir, d.tls.ca.file) } } : {}) } } : {}),
    ...(d.hostKey !== undefined
      ? { hostKey: { ...d.hostKey, ...(d.hostKey.knownHostsFile !== undefined ? { knownHostsFile: path.resolve(dir, d.hostKey.knownHostsFile) } : {}) } }
      : {}),
  }));
  let storeOptions = p.store.options;
  const so = storeOptions as { path?: unknown } | undefined;
  if (typeof so === 'object' && so !== null && !Array.isArray(so) && typeof so.path === 'string' && !so.path.startsWith(':')) {
    storeOptions = { ...so, path: path.resolve(dir, so.path) };
  }
  return {
    ...p,
    sources: { ...p.sources, kubernetes },
    inventory: { ...p.inventory, devices },
    store: { ...p.store, adapter: resolveAdapter(p.store.adapter, dir), ...(storeOptions !== undefined ? { options: storeOptions } : {}) },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Warnings

function collectWarnings(p: Profile, opts: LoadProfileOptions): LocatedProblem[] {
  const env = opts.env ?? process.env;
  const checkFiles = opts.checkFiles ?? true;
  const out: LocatedProblem[] = [];
  const warn = (segments: Segment[], reason: string): void => {
    out.push({ segments, reason });
  };
  const fileMissing = (segments: Segment[], file: string, what: string): void => {
    if (checkFiles && !fs.existsSync(file)) warn(segments, `${what} ${file} does not exist`);
  };

  const k = p.sources.kubernetes;
  if ('scenario' in k) fileMissing(['sources', 'kubernetes', 'scenario'], k.scenario, 'scenario file');
  if ('kubeconfig' in k) fileMissing(['sources', 'kubernetes', 'kubeconfig'], k.kubeconfig, 'kubeconfig file');

  p.inventory.devices.forEach((d, i) => {
    const at: Segment[] = ['inventory', 'devices', i];
    for (const key of ['username', 'password', 'token', 'privateKey'] as const) {
      const ref = d.credentials?.[key];
      if (ref === undefined) continue;
      if ('env' in ref) {
        const v = env[ref.env];
        if (v === undefined) warn([...at, 'credentials', key], `environment variable ${ref.env} is not set (needed when netloom connects to ${d.name})`);
        else if (v === '') warn([...at, 'credentials', key], `environment variable ${ref.env} is empty`);
      } else if ('file' in ref) {
        fileMissing([...at, 'credentials', key], ref.file, 'file');
      }
    }
    if (d.tls?.verify === false) {
      warn([...at, 'tls', 'verify'], `false: the TLS certificate of ${d.name} is not verified (lab only)`);
      if (d.tls.ca !== undefined) warn([...at, 'tls', 'ca'], 'ignored while verify is false');
    }
    if (d.tls?.ca !== undefined) fileMissing([...at, 'tls', 'ca', 'file'], d.tls.ca.file, 'CA file');
    if (d.hostKey?.verify === false) {
      warn([...at, 'hostKey', 'verify'], `false: the SSH host key of ${d.name} is not verified (lab only)`);
    }
    if (d.hostKey?.knownHostsFile !== undefined) fileMissing([...at, 'hostKey', 'knownHostsFile'], d.hostKey.knownHostsFile, 'known_hosts file');
  });

  p.plugins.forEach((name, i) => {
    if ((KNOWN_PLUGINS as readonly string[]).includes(name)) return;
    const guess = closest(name, KNOWN_PLUGINS);
    warn(['plugins', i], `${JSON.stringify(name)} is not a built-in plugin${guess !== undefined ? `; did you mean "${guess}"?` : ` (built-in: ${KNOWN_PLUGINS.join(', ')})`}`);
  });

  if (p.overlay === 'hybrid' && p.topology.nodes !== undefined && p.topology.nodes.every((n) => n.overlay !== 'host')) {
    warn(['overlay'], 'hybrid, but no node in topology.nodes has overlay: host');
  }
  return out;
}
