/**
 * A {@link Logger} that appends JSON lines to a file: what a CNI plugin can do (the runtime owns stdout, and
 * stderr is rarely kept). Every line passes through `redact` with the secrets registered so far, as a second line
 * of defence: no code path hands a secret to the logger on purpose.
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { redact, type Logger } from '@netloom/ports';
import { LOG_LEVELS, type LogLevel } from './cni.config';

/** A logger that can be told about secrets after it was created (the API token is read later). */
export interface CniLogger extends Logger {
  /** Redacts `secret` from every later line. */
  addSecret(secret: string): void;
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: value.message };
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out['code'] = code;
    if (value.cause !== undefined) out['cause'] = value.cause instanceof Error ? value.cause.message : String(value.cause);
    return out;
  }
  return value;
}

/**
 * Opens a JSON-lines logger on `file` (created with mode 0600 if missing). Lines below `level` are dropped. A line
 * that cannot be written is dropped too: logging never fails the plugin.
 *
 * @example
 * const log = fileLogger('/var/log/netloom-cni.log', 'info', { command: 'ADD', containerId: 'c1' });
 * log.info({ pod: 'shop/web-0' }, 'waiting for the allocation');
 * // {"time":"2024-…","level":"info","command":"ADD","containerId":"c1","pod":"shop/web-0","msg":"waiting for the allocation"}
 */
export function fileLogger(file: string, level: LogLevel, bindings: Record<string, unknown> = {}, secrets: Set<string> = new Set()): CniLogger {
  const min = LOG_LEVELS.indexOf(level);
  const write = (lvl: LogLevel, obj: object, msg?: string): void => {
    if (LOG_LEVELS.indexOf(lvl) < min) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: lvl, pid: process.pid, ...bindings };
    for (const [k, v] of Object.entries(obj)) entry[k] = serialise(v);
    if (msg !== undefined) entry['msg'] = msg;
    try {
      fs.appendFileSync(file, `${redact(JSON.stringify(entry), secrets)}\n`, { mode: 0o600 });
    } catch {
      /* a full disk or a bad path must not fail the pod */
    }
  };
  return {
    debug: (o, m) => write('debug', o, m),
    info: (o, m) => write('info', o, m),
    warn: (o, m) => write('warn', o, m),
    error: (o, m) => write('error', o, m),
    child: (b) => fileLogger(file, level, { ...bindings, ...b }, secrets),
    addSecret: (s) => {
      if (s.length > 0) secrets.add(s);
    },
  };
}

/** A {@link CniLogger} that drops everything (no `logFile` configured). */
export const silentCniLogger: CniLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentCniLogger,
  addSecret: () => undefined,
};
