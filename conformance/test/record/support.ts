/** Helpers of the record/replay tests: temporary folders, target files, reading recordings. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';

/** A fresh temporary folder (removed by `cleanup`). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `nlc-${prefix}-`));
}

/** Removes a folder made by {@link tempDir}. */
export function cleanup(dir: string | undefined): void {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
}

/** Writes a target file (YAML) into `dir` and returns its path. */
export function writeTargetFile(dir: string, spec: Record<string, unknown>): string {
  const file = path.join(dir, 'target.yaml');
  fs.writeFileSync(file, stringify({ apiVersion: 'netloom.io/v1alpha1', kind: 'ConformanceTarget', ...spec }), 'utf8');
  return file;
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else out.push(p);
  }
  return out;
}

/** The concatenated text of every file under `dir` (to grep a recording for a secret). */
export function allText(dir: string): string {
  return filesUnder(dir)
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
}

/** Copies a folder recursively. */
export function copyDir(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
}
