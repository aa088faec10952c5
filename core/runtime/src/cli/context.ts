/**
 * What every CLI command shares: where output goes, exit codes, the context, loading a profile with its adapters.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError, type Logger } from '@netloom/ports';
import { loadProfileAdapters } from '../adapters/loader';
import type { AdapterRegistry } from '../adapters/registry';
import { displayPath, loadProfile, type LoadedProfile, type ProfileProblem } from '../profile/profile.loader';
import type { SecretRegistry } from '../secrets';
import { problemLine } from './format';

/** Where the CLI writes. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** The process's stdout and stderr. */
export const processIO: CliIO = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

/** Exit codes. */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2 } as const;

/** The CLI context every command gets. */
export interface Ctx {
  readonly io: CliIO;
  readonly secrets: SecretRegistry;
  out(line?: string): void;
  err(line?: string): void;
  logger(): Logger;
  debug: boolean;
  exitCode: number;
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** Prints an InputError's problems as `path: reason (line N)`, one per line, under a heading. */
export function printProblems(ctx: Ctx, heading: string, problems: readonly ProfileProblem[]): void {
  ctx.err(`${heading} (${plural(problems.length, 'problem')}):`);
  for (const p of problems) ctx.err(`  ${problemLine(p)}`);
}

export function printWarnings(ctx: Ctx, warnings: readonly ProfileProblem[]): void {
  for (const w of warnings) ctx.err(`warning: ${problemLine(w)}`);
}

/** Loads a profile and (optionally) its adapters; prints every problem and returns undefined when invalid. */
export async function loadAll(ctx: Ctx, file: string, withAdapters: boolean): Promise<{ loaded: LoadedProfile; registry?: AdapterRegistry } | undefined> {
  let loaded: LoadedProfile;
  try {
    loaded = loadProfile(file);
  } catch (e) {
    if (e instanceof InputError && e.problems.length > 0) {
      printProblems(ctx, `${displayPath(file)} is invalid`, e.problems);
      return undefined;
    }
    throw e;
  }
  if (!withAdapters) return { loaded };
  try {
    return { loaded, registry: await loadProfileAdapters(loaded) };
  } catch (e) {
    if (e instanceof InputError && e.problems.length > 0) {
      printWarnings(ctx, loaded.warnings);
      printProblems(ctx, `${displayPath(file)} is invalid`, e.problems);
      return undefined;
    }
    throw e;
  }
}

/** The embedded example profile (docs/examples/embedded.yaml), looked up from the runtime and the working directory. */
export function findEmbeddedProfile(): string | undefined {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = start; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'docs', 'examples', 'embedded.yaml');
      if (fs.existsSync(candidate)) return candidate;
      if (dir === path.dirname(dir)) break;
    }
  }
  return undefined;
}

