/**
 * `netloom lab up|test|down [--dir <d>] [--keep] [--source kubernetes|scenario]`: the lab with real packets (docs/lab.md).
 * @packageDocumentation
 */
import * as path from 'node:path';
import { isNetloomError } from '@netloom/ports';
import { labDown, labUnavailableReason, labUp } from '../lab/lab';
import { formatCheck, labTest } from '../lab/lab.checks';
import { DEFAULT_LAB_DIR, LabSourceCodec, stateFile } from '../lab/lab.state';
import { EXIT, type Ctx } from './context';

/** Options of the lab commands. */
export interface LabCommandOptions {
  /** The lab directory (default /run/netloom-lab). */
  readonly dir?: string;
  /** `down`: keep the lab directory (logs, databases) after removing everything else. */
  readonly keep?: boolean;
  /** `up`: where the controller reads the cluster, `kubernetes` (default) or `scenario`. */
  readonly source?: string;
}

function message(e: unknown): string {
  return isNetloomError(e) ? `${e.message} [${e.code}]` : e instanceof Error ? e.message : String(e);
}

/**
 * Runs one lab action and returns the exit code: 0 when it worked (and, for `test` and `down`, every check passed).
 * @example await labCommand(ctx, 'up', { dir: '/tmp/lab' })
 */
export async function labCommand(ctx: Ctx, action: 'up' | 'test' | 'down', opts: LabCommandOptions): Promise<number> {
  const dir = path.resolve(opts.dir ?? DEFAULT_LAB_DIR);
  const dirFlag = dir !== DEFAULT_LAB_DIR ? ` --dir ${dir}` : '';
  const reason = labUnavailableReason();
  if (reason !== undefined) {
    ctx.err(`error: ${reason}`);
    return EXIT.FAILED;
  }
  const print = (line: string): void => ctx.out(line);
  switch (action) {
    case 'up': {
      const source = opts.source ?? 'kubernetes';
      if (!LabSourceCodec.is(source)) {
        ctx.err(`error: --source ${JSON.stringify(source)}: use kubernetes (the test API server) or scenario (the scenario source)`);
        return EXIT.USAGE;
      }
      try {
        await labUp({ dir, print, source });
        ctx.out(`next: netloom lab test${dirFlag}; netloom lab down${dirFlag}`);
        return EXIT.OK;
      } catch (e) {
        ctx.err(`error: lab up failed: ${message(e)}`);
        ctx.err(`what was created is listed in ${stateFile(dir)}: netloom lab down${dirFlag} removes it (the daemon's log is in ${path.join(dir, 'mgmt', 'daemon.log')})`);
        return EXIT.FAILED;
      }
    }
    case 'test': {
      const lines = await labTest({ dir, print });
      const failed = lines.filter((l) => l.status === 'FAIL').length;
      const passed = lines.filter((l) => l.status === 'PASS').length;
      ctx.out(`${passed} passed, ${failed} failed (nothing left after down: checked by netloom lab down)`);
      return failed > 0 ? EXIT.FAILED : EXIT.OK;
    }
    case 'down': {
      const lines = await labDown({ dir, print, ...(opts.keep === true ? { keep: true } : {}) });
      for (const l of lines) ctx.out(formatCheck(l));
      return lines.some((l) => l.status === 'FAIL') ? EXIT.FAILED : EXIT.OK;
    }
  }
}
