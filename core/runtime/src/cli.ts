#!/usr/bin/env node
/**
 * The `netloom` executable. See docs/cli.md.
 * @packageDocumentation
 */
import 'reflect-metadata';
import { runCli } from './cli/program';

// `netloom adapters | head`: the reader went away; stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

void runCli(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // runCli handles every error; this is a last resort that still prints no stack trace.
    process.stderr.write(`internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
