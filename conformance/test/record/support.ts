/**
 * Helpers of the record/replay tests: temporary folders, target files, reading and altering recordings, and the
 * judgements every protocol's test makes of a live run and its replay.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { CheckResult, ConformanceReport } from '@netloom/conformance';

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

/** Failed checks as `<id>: <reason>`, except gaps in the samples (a capability no sample uses), which no target can fix. */
export function failedChecks(report: ConformanceReport): string[] {
  return report.results.filter((r) => r.status === 'failed' && !/^no sample config uses /.test(r.reason ?? '')).map((r) => `${r.id}: ${r.reason ?? ''}`);
}

/** `<id>=<status>` of every check of a report, in order. */
export function checkStatuses(report: ConformanceReport): string[] {
  return report.results.map((x) => `${x.id}=${x.status}`);
}

/** A replay with no device passes every check that passed live, and every check ends as it did live. */
export function assertReplaysLive(replay: ConformanceReport, live: ConformanceReport): void {
  assert.deepEqual(failedChecks(replay), []);
  assert.deepEqual(checkStatuses(replay), checkStatuses(live));
}

/**
 * Copies `recording` to `copy` and alters one recorded session of the copy: `edit` changes the parsed JSON of
 * `<copy>/<sessionFile>` in place (it may assert what it expects to find). Returns `copy`.
 */
export function alterRecording<T>(recording: string, copy: string, sessionFile: string, edit: (session: T) => void): string {
  fs.cpSync(recording, copy, { recursive: true });
  const file = path.join(copy, sessionFile);
  const session = JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  edit(session);
  fs.writeFileSync(file, JSON.stringify(session));
  return copy;
}

/**
 * Asserts that the first result of a replay is the failed check `check`, diverged from the recording at recorded
 * session `session` (any session when undefined), and returns it.
 */
export function assertDiverged(report: ConformanceReport, check: string, session?: number): CheckResult | undefined {
  const r = report.results[0];
  assert.equal(r?.status, 'failed');
  const id = check.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  assert.match(r?.reason ?? '', new RegExp(`^replay of check ${id} case default diverged from the recording in .*: session ${session ?? '\\d+'}, exchange \\d+: expected .+, came .+`));
  return r;
}
