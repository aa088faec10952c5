/**
 * The secrets this process has resolved, so that every log line and error text can be scrubbed of them.
 * @packageDocumentation
 */
import { redact } from '@netloom/ports';

/**
 * Secrets shorter than this are not scrubbed from free text: replacing every `x` of every line with `***` would
 * garble all output and, by the pattern of the stars, reveal the secret it hides. (Credential fields are redacted
 * by name whatever their length; see `logger.ts`.)
 */
export const MIN_REDACTED_LENGTH = 4;

/** The set of resolved secrets (passwords, tokens, private keys). The logger redacts each from every message. */
export class SecretRegistry {
  readonly #secrets = new Set<string>();

  /** Remembers a resolved secret. Secrets shorter than {@link MIN_REDACTED_LENGTH} are ignored. */
  add(secret: string): void {
    if (secret.length >= MIN_REDACTED_LENGTH) this.#secrets.add(secret);
  }

  /** Number of known secrets. */
  get size(): number {
    return this.#secrets.size;
  }

  /** The known secrets, longest first (so a secret that contains another is replaced whole). */
  values(): string[] {
    return [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  /** `text` with every known secret replaced by `***`. */
  redact(text: string): string {
    return this.#secrets.size === 0 ? text : redact(text, this.values());
  }
}
