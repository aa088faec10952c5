/**
 * The program: environment and stdin in, the spec's JSON and an exit code out. {@link runCni} does the work and
 * returns what to print (testable in-process); {@link main} wires it to the process (`bin/netloom-cni.cjs`).
 *
 * @packageDocumentation
 */
import { isNetloomError } from '@netloom/ports';
import { parseConfig, sniffCniVersion, type NetloomCniConfig } from './cni.config';
import { readCniEnv, type CniEnv } from './cni.env';
import { fileLogger, silentCniLogger, type CniLogger } from './cni.logger';
import { cmdAdd, cmdCheck, cmdDel, cmdVersion } from './cni.plugin';
import { CniError, CniErrorCode, DEFAULT_CNI_VERSION, SUPPORTED_VERSIONS, errorJson } from './cni.spec';

/** What a run reads. */
export interface CniInput {
  /** The environment (`CNI_*`). */
  readonly env: NodeJS.ProcessEnv;
  /** Everything on stdin. */
  readonly stdin: string;
}

/** What a run prints and how it exits. */
export interface CniOutput {
  readonly exitCode: number;
  /** JSON (with a trailing newline), or empty for a successful DEL or CHECK. */
  readonly stdout: string;
}

/** Turns anything thrown into the error the runtime sees; unexpected errors become code 199 with their message. */
export function toCniError(e: unknown): CniError {
  if (e instanceof CniError) return e;
  if (isNetloomError(e)) return new CniError(CniErrorCode.internal, e.message, `netloom error ${e.code}`, { cause: e });
  return new CniError(CniErrorCode.internal, e instanceof Error ? e.message : String(e), undefined, { cause: e });
}

/**
 * Runs one CNI command. Never throws: every failure becomes the error JSON on stdout with exit code 1.
 *
 * @example
 * await runCni({ env: { CNI_COMMAND: 'VERSION' }, stdin: '{"cniVersion":"1.0.0"}' })
 * // { exitCode: 0, stdout: '{"cniVersion":"1.0.0","supportedVersions":["1.0.0"]}\n' }
 */
export async function runCni(input: CniInput): Promise<CniOutput> {
  const sniffed = sniffCniVersion(input.stdin);
  let version = sniffed !== undefined && SUPPORTED_VERSIONS.includes(sniffed) ? sniffed : DEFAULT_CNI_VERSION;
  let log: CniLogger = silentCniLogger;
  try {
    const env: CniEnv = readCniEnv(input.env);
    if (env.command === 'VERSION') return { exitCode: 0, stdout: `${JSON.stringify(cmdVersion(input.stdin))}\n` };
    const config: NetloomCniConfig = parseConfig(input.stdin);
    version = config.cniVersion;
    if (config.logFile !== undefined) {
      log = fileLogger(config.logFile, config.logLevel, {
        command: env.command,
        containerId: env.containerId,
        ifname: env.ifname,
        ...(env.pod !== undefined ? { pod: `${env.pod.namespace}/${env.pod.name}` } : {}),
      });
    }
    log.info({ netns: env.netns, network: config.name }, 'start');
    const ctx = { env, config, logger: log };
    switch (env.command) {
      case 'ADD':
        return { exitCode: 0, stdout: `${JSON.stringify(await cmdAdd(ctx))}\n` };
      case 'DEL':
        await cmdDel(ctx);
        return { exitCode: 0, stdout: '' };
      case 'CHECK':
        await cmdCheck(ctx);
        return { exitCode: 0, stdout: '' };
    }
  } catch (e) {
    const err = toCniError(e);
    log.error({ code: err.code, err: e, details: err.details }, 'failed');
    return { exitCode: 1, stdout: `${JSON.stringify(errorJson(err, version))}\n` };
  }
}

/** Reads all of stdin (nothing when it is a terminal: VERSION typed by hand). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The process entry point: runs {@link runCni} on this process's environment and stdin, prints, exits. */
export async function main(): Promise<void> {
  let stdin: string | undefined;
  try {
    stdin = await readStdin();
  } catch (e) {
    stdin = undefined;
    const err = new CniError(CniErrorCode.ioFailure, `cannot read the network configuration from stdin: ${(e as Error).message}`);
    process.stdout.write(`${JSON.stringify(errorJson(err, DEFAULT_CNI_VERSION))}\n`, () => process.exit(1));
  }
  if (stdin === undefined) return;
  const out = await runCni({ env: process.env, stdin });
  // Exit only once stdout is flushed: the runtime reads it through a pipe.
  process.stdout.write(out.stdout, () => process.exit(out.exitCode));
}
