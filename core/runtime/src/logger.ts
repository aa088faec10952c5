/**
 * The runtime's logger: pino, writing JSON lines to stderr, with two layers of protection against leaking a
 * credential: pino's `redact` for credential-shaped fields, and a hook that replaces every secret the runtime has
 * resolved (see {@link SecretRegistry}) in every message and string field.
 * @packageDocumentation
 */
import pino from 'pino';
import type { Logger } from '@netloom/ports';
import { SecretRegistry } from './secrets';

/** Field names that hold credentials; their values are replaced by `***` at any of the first three levels. */
export const CREDENTIAL_FIELDS = ['password', 'token', 'privateKey', 'passphrase', 'secret', 'credentials', 'authorization'] as const;

/** The pino `redact.paths` for {@link CREDENTIAL_FIELDS}. */
export const REDACT_PATHS: string[] = CREDENTIAL_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]);

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** pino level (default `info`). */
  readonly level?: string;
  /** Secrets to scrub from every line (default: a new, empty registry). */
  readonly secrets?: SecretRegistry;
  /** Where lines go (default: stderr, synchronously). */
  readonly destination?: pino.DestinationStream;
}

function scrub(value: unknown, secrets: SecretRegistry, depth: number): unknown {
  if (typeof value === 'string') return secrets.redact(value);
  if (depth > 6 || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) {
    const out: Record<string, unknown> = { type: value.name, message: secrets.redact(value.message) };
    if (value.stack !== undefined) out.stack = secrets.redact(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) out.code = code;
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, secrets, depth + 1);
  return out;
}

/** A pino logger (also a `@netloom/ports` Logger) that never writes a known secret. */
export function createLogger(opts: CreateLoggerOptions = {}): pino.Logger & Logger {
  const secrets = opts.secrets ?? new SecretRegistry();
  return pino(
    {
      name: 'netloom',
      level: opts.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '***' },
      hooks: {
        logMethod(args, method) {
          const clean = secrets.size === 0 ? args : (args.map((a) => scrub(a, secrets, 0)) as typeof args);
          method.apply(this, clean);
        },
      },
    },
    opts.destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
