/**
 * Writes the generated command table of every device adapter into `docs/adapters/<id>.md`, between
 * `<!-- BEGIN GENERATED: command table -->` and `<!-- END GENERATED -->` (the prose around the markers is hand-written).
 *
 * For each capability sample the adapter supports (its package's `conformanceSamples`, else the kit's defaults), the
 * table shows what the adapter would send to create those objects on a device that holds none of them, and to delete
 * them again: the adapter's own `plan` against a fresh device of its shipped conformance target. It only plans, never
 * applies. Values that differ per run (OVSDB row UUIDs, free TCP ports) are replaced by placeholders so the output is
 * stable. New object kinds and capabilities show up as soon as the samples contain them.
 *
 * Run with `npm run docs:adapters`; `scripts/test/adapter-docs.test.ts` fails when a doc is out of date.
 *
 * @example npx tsx scripts/adapter-docs.ts            # rewrites the docs that changed
 * @packageDocumentation
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { DEFAULT_SAMPLES, type DeviceSamples, type SimulatorTarget } from '@netloom/conformance';
import {
  DEVICE_PORT_KINDS,
  ErrorCode,
  isNetloomError,
  silentLogger,
  type AdapterDefinition,
  type ChangeSet,
  type DeviceConfig,
  type DeviceDriver,
  type DevicePortKind,
  type PortFactoryOptions,
} from '@netloom/ports';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');
/** Where the adapter docs live. */
export const DOCS_DIR = path.join(ROOT, 'docs', 'adapters');
/** The marker that opens the generated part of a doc. */
export const BEGIN = '<!-- BEGIN GENERATED: command table -->';
/** The marker that closes the generated part of a doc. */
export const END = '<!-- END GENERATED -->';
/** Adapters whose docs carry a generated command table (device adapters with a simulator or lab target). */
export const TABLE_ADAPTERS = ['huawei-ce', 'ruijie-rgos', 'arista-eos', 'hw-vtep', 'f5-bigip', 'nftables', 'linux-router', 'ovs', 'h3c-s1020v', 'fake'] as const;
/** Operation text longer than this is cut (OVSDB rows and HTTP bodies are summaries, not the full request). */
const MAX_TEXT = 160;

type Obj = Record<string, unknown>;
const isRecord = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One row of a command table. */
export interface CommandRow {
  /** `create vrf`, `delete accessBinding`, ... */
  readonly intent: string;
  /** The keyed changes (`create segment 10010`). */
  readonly changes: readonly string[];
  /** The operations as `medium: text`, normalised. */
  readonly operations: readonly string[];
}

/** Replaces what differs from run to run: row UUIDs, free TCP ports. */
export function normalizeOperation(text: string): string {
  return text
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\b(p?tcp):\d+:127\.0\.0\.1/g, '$1:<port>:127.0.0.1');
}

/** The objects of `full` a selection names, in a config with every kind of `full` present. */
function pick(full: Obj, selection: Readonly<Record<string, readonly string[]>>): Record<string, Obj> {
  const out: Record<string, Obj> = Object.fromEntries(Object.keys(full).map((k) => [k, {}]));
  for (const [kind, keys] of Object.entries(selection)) {
    const objects = full[kind];
    for (const key of keys) if (isRecord(objects) && objects[key] !== undefined) (out[kind] ??= {})[key] = structuredClone(objects[key]);
  }
  return out;
}

const describeChanges = (cs: ChangeSet): string[] => cs.changes.map((c) => `${c.op} ${c.kind} ${c.key}`);
const describeOperations = (cs: ChangeSet): string[] => cs.operations.map((o) => `${o.medium}: ${normalizeOperation(o.text)}`);

interface LoadedAdapter {
  readonly adapter: AdapterDefinition;
  readonly targets: Readonly<Record<string, SimulatorTarget>>;
  readonly samples: Readonly<Record<string, DeviceSamples>>;
}

async function load(id: string): Promise<LoadedAdapter> {
  const m = (await import(`@netloom/adapter-${id}`)) as Obj;
  const adapter = m['adapter'] as AdapterDefinition | undefined;
  const targets = m['conformanceTargets'];
  if (adapter === undefined || !isRecord(targets)) throw new Error(`@netloom/adapter-${id} exports no adapter or no conformanceTargets`);
  const samples = isRecord(m['conformanceSamples']) ? (m['conformanceSamples'] as Record<string, DeviceSamples>) : {};
  return { adapter, targets: targets as Record<string, SimulatorTarget>, samples };
}

/** Plans every capability sample of one port (create from nothing, then delete again) on a fresh simulated device. */
async function portRows(loaded: LoadedAdapter, port: DevicePortKind): Promise<CommandRow[]> {
  const factory = loaded.adapter.ports[port] as ((opts: PortFactoryOptions) => DeviceDriver<DeviceConfig>) | undefined;
  const target = loaded.targets[port];
  if (factory === undefined || target === undefined) return [];
  const samples = loaded.samples[port] ?? DEFAULT_SAMPLES[port];
  const supports = (loaded.adapter.supports[port] ?? {}) as Readonly<Record<string, boolean>>;
  const full = samples.full() as Obj;
  const empty = pick(full, {});
  const instance = await target.create({ checkId: 'adapter-docs' });
  const rows: CommandRow[] = [];
  try {
    const session = await factory({ target: instance.target, options: instance.options ?? {}, logger: silentLogger }).connect();
    try {
      for (const cap of Object.keys(samples.byCapability).sort()) {
        if (supports[cap] !== true) continue;
        const objects = pick(full, samples.byCapability[cap]!);
        const create = await session.plan({ desired: objects as DeviceConfig, observed: empty as DeviceConfig });
        rows.push({ intent: `${cap}: create`, changes: describeChanges(create), operations: describeOperations(create) });
        // Adapters that build undo lines from the device's running state render no delete for objects the device
        // does not hold (nothing is applied here): such rows are left out rather than shown empty.
        // Some refuse to plan the delete at all (Arista needs the segment's VLAN from the switch): no row either.
        const remove = await session.plan({ desired: empty as DeviceConfig, observed: objects as DeviceConfig }).catch((e: unknown) => {
          if (isNetloomError(e) && e.code === ErrorCode.INPUT_INVALID) return undefined;
          throw e;
        });
        if (remove !== undefined && remove.operations.length > 0) rows.push({ intent: `${cap}: delete`, changes: describeChanges(remove), operations: describeOperations(remove) });
      }
    } finally {
      await session.close();
    }
  } finally {
    await instance.dispose?.();
  }
  return rows;
}

const cell = (lines: readonly string[]): string =>
  lines.length === 0
    ? '(nothing)'
    : lines
        .map((l) => (l.length > MAX_TEXT ? `${l.slice(0, MAX_TEXT - 1)}…` : l))
        .map((l) => `\`${l.replace(/`/g, "'").replace(/\|/g, '\\|')}\``)
        .join('<br>');

/** The generated Markdown of one adapter: one table per device port it provides. */
export async function commandTable(id: string): Promise<string> {
  const loaded = await load(id);
  const parts: string[] = [
    '',
    '_Generated by `npm run docs:adapters` from the conformance samples: what `plan` renders to create each capability sample on a device that holds none of it, and to delete it again (where the adapter renders a delete without the objects on the device; nothing is applied). Per-run values are shown as `<uuid>` and `<port>`; long operations are cut with …._',
    '',
  ];
  for (const port of DEVICE_PORT_KINDS) {
    const rows = await portRows(loaded, port);
    if (rows.length === 0) continue;
    parts.push(`#### ${port} port`, '', '| Intent | Changes | Operations sent (medium: text) |', '|---|---|---|');
    for (const r of rows) parts.push(`| ${r.intent} | ${cell(r.changes)} | ${cell(r.operations)} |`);
    parts.push('');
  }
  return parts.join('\n');
}

/** `doc` with the part between the markers replaced by `generated`. @throws Error when the markers are missing */
export function splice(doc: string, generated: string, file: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`${file}: no "${BEGIN}" ... "${END}" markers`);
  return `${doc.slice(0, begin + BEGIN.length)}\n${generated}\n${doc.slice(end)}`;
}

/** Every adapter doc with a command table as it should be: file path → current text and regenerated text. */
export async function regenerate(): Promise<Map<string, { readonly current: string; readonly expected: string }>> {
  const out = new Map<string, { readonly current: string; readonly expected: string }>();
  for (const id of TABLE_ADAPTERS) {
    const file = path.join(DOCS_DIR, `${id}.md`);
    const current = await readFile(file, 'utf8');
    out.set(file, { current, expected: splice(current, await commandTable(id), file) });
  }
  return out;
}

async function main(): Promise<void> {
  for (const [file, { current, expected }] of await regenerate()) {
    if (current === expected) continue;
    await writeFile(file, expected);
    process.stdout.write(`updated ${path.relative(ROOT, file)}\n`);
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
