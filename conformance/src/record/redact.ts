/**
 * Redaction of recordings: nothing secret is ever written to disk. Every recorded text, header and JSON value goes
 * through a {@link RecordingRedactor} before it is stored:
 *
 * - a value equal to (or containing) a named secret becomes `<redacted:NAME>` (the target file's password, token,
 *   private key, and their Basic-auth and base64 forms);
 * - headers that carry credentials (`Authorization`, `Proxy-Authorization`, `X-F5-Auth-Token`, `Cookie`,
 *   `Set-Cookie`, `X-Auth-Token`) become `<redacted:header>` whatever they hold;
 * - JSON fields named like a credential (`password`, `passwd`, `token`, `secret`, `authorization`, `privateKey`,
 *   `passphrase`) become `<redacted:field>`: login bodies and token replies.
 *
 * A replay treats every `<redacted:...>` value as "matches anything" (see {@link isRedacted}).
 *
 * @packageDocumentation
 */

/** One secret to hide, with the name its placeholder shows (`password`, `token`). */
export interface NamedSecret {
  readonly name: string;
  readonly value: string;
}

/** The placeholder of a redacted value: `<redacted:NAME>`. */
export const redactedPlaceholder = (name: string): string => `<redacted:${name}>`;

const PLACEHOLDER = /<redacted:[A-Za-z0-9_.-]+>/;
const PLACEHOLDER_ALL = /<redacted:[A-Za-z0-9_.-]+>/g;

/** True when `value` is or contains a redaction placeholder (a replay lets it match anything). */
export function isRedacted(value: unknown): boolean {
  return typeof value === 'string' && PLACEHOLDER.test(value);
}

/** A regular expression matching `recorded` where each placeholder stands for any text. */
export function placeholderPattern(recorded: string): RegExp {
  const parts = recorded.split(PLACEHOLDER_ALL).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[\\s\\S]*?')}$`);
}

/** Header names whose values are credentials, lower case. */
export const SECRET_HEADERS: readonly string[] = ['authorization', 'proxy-authorization', 'x-f5-auth-token', 'x-auth-token', 'cookie', 'set-cookie'];

const SECRET_FIELD = /^(password|passwd|passphrase|token|secret|authorization|privatekey|private_key|apikey|api_key|auth_token|access_token|refresh_token)$/i;

/** True when a JSON field of this name holds a credential. */
export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** Secrets shorter than this are not searched in free text (they would garble it and reveal themselves). */
export const MIN_SECRET_LENGTH = 4;

/** Replaces secrets in texts, headers and JSON values before anything is written. */
export class RecordingRedactor {
  readonly #secrets: NamedSecret[];

  /**
   * @param secrets the secrets to hide; each also in its base64 form and, with `username`, as the Basic-auth
   *   credentials `base64(username:password)`.
   */
  constructor(secrets: readonly NamedSecret[], username?: string) {
    const all: NamedSecret[] = [];
    for (const s of secrets) {
      if (s.value.length < MIN_SECRET_LENGTH) continue;
      all.push(s);
      all.push({ name: s.name, value: Buffer.from(s.value, 'utf8').toString('base64') });
      if (username !== undefined) all.push({ name: s.name, value: Buffer.from(`${username}:${s.value}`, 'utf8').toString('base64') });
      const json = JSON.stringify(s.value).slice(1, -1);
      if (json !== s.value) all.push({ name: s.name, value: json });
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.#secrets = all.sort((a, b) => b.value.length - a.value.length);
  }

  /** `text` with every secret replaced by its placeholder. */
  text(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s.value)) out = out.split(s.value).join(redactedPlaceholder(s.name));
    return out;
  }

  /** A deep copy of a JSON value with secret fields and secret values replaced. */
  json(value: unknown, field?: string): unknown {
    if (field !== undefined && isSecretField(field) && value !== null && value !== undefined && typeof value !== 'object') return redactedPlaceholder(field.toLowerCase());
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.json(v));
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.json(v, k);
      return out;
    }
    return value;
  }

  /** Headers with credential headers replaced whole and secrets replaced in the others. */
  headers(headers: Readonly<Record<string, string | readonly string[] | undefined>>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) {
      if (v === undefined) continue;
      const name = k.toLowerCase();
      const value = Array.isArray(v) ? v.join(', ') : (v as string);
      out[name] = SECRET_HEADERS.includes(name) ? redactedPlaceholder('header') : this.text(value);
    }
    return out;
  }
}
