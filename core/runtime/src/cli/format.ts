/**
 * Text output of the CLI: problem lists, tables, adapter listings.
 * @packageDocumentation
 */
import { CAPABILITY_NAMES, providedPorts, type InputProblem } from '@netloom/ports';
import type { LoadedAdapter } from '../adapters/registry';

/** One problem or warning as a line: `path: reason (line N)`. */
export function problemLine(p: InputProblem & { line?: number }): string {
  const where = p.path === '' ? '' : `${p.path}: `;
  const line = p.line !== undefined && !/\bline \d+/.test(p.reason) ? ` (line ${p.line})` : '';
  return `${where}${p.reason}${line}`;
}

/** Renders rows as a left-aligned table with a header row; the last column is not padded. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(headers), ...rows.map(render)];
}

/** A JSON-friendly description of a loaded adapter. */
export interface AdapterInfo {
  readonly package: string;
  readonly version: string;
  readonly id: string;
  readonly vendor: string;
  readonly description?: string;
  readonly ports: string[];
  readonly portApi: string;
  readonly capabilities: Record<string, Record<string, boolean>>;
  readonly models?: { readonly sysObjectIdPrefixes?: readonly string[]; readonly modelPatterns?: readonly string[] };
  readonly path: string;
  /** Inventory devices (and `(store)`) that use it, when listed for a profile. */
  readonly usedBy?: string[];
}

/** Describes a loaded adapter for `netloom adapters --json`. */
export function adapterInfo(a: LoadedAdapter, usedBy?: string[]): AdapterInfo {
  const d = a.definition;
  const capabilities: Record<string, Record<string, boolean>> = {};
  for (const port of providedPorts(d)) {
    const caps = (d.supports[port] ?? {}) as Record<string, boolean>;
    capabilities[port] = Object.fromEntries(CAPABILITY_NAMES[port].map((n) => [n, caps[n] === true]));
  }
  return {
    package: a.packageName,
    version: a.version,
    id: d.id,
    vendor: d.vendor,
    ...(d.description !== undefined ? { description: d.description } : {}),
    ports: providedPorts(d),
    portApi: d.portApi,
    capabilities,
    ...(d.models !== undefined ? { models: d.models } : {}),
    path: a.path,
    ...(usedBy !== undefined ? { usedBy } : {}),
  };
}

/** The adapter table and, per adapter, its capabilities per port (`+` supported, `-` not). */
export function adapterListing(infos: readonly AdapterInfo[]): string[] {
  const withUsers = infos.some((i) => i.usedBy !== undefined);
  const headers = ['PACKAGE', 'VERSION', 'ID', 'VENDOR', 'PORTS', 'PORT API', ...(withUsers ? ['USED BY'] : [])];
  const rows = infos.map((i) => [i.package, i.version, i.id, i.vendor, i.ports.join(','), i.portApi, ...(withUsers ? [(i.usedBy ?? []).join(', ')] : [])]);
  const lines = table(headers, rows);
  lines.push('', 'Capabilities (+ supported, - not supported):');
  const portWidth = Math.max(...infos.flatMap((i) => i.ports.map((p) => p.length)));
  const idWidth = Math.max(...infos.map((x) => x.id.length));
  for (const i of infos) {
    i.ports.forEach((port, n) => {
      const caps = Object.entries(i.capabilities[port] ?? {})
        .map(([name, on]) => `${on ? '+' : '-'}${name}`)
        .join(' ');
      lines.push(`  ${(n === 0 ? i.id : '').padEnd(idWidth)}  ${port.padEnd(portWidth)}  ${caps}`);
    });
  }
  return lines;
}
