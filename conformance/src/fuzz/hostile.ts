/**
 * Hostile strings for injection fuzzing (issue 6), as fast-check arbitraries: what a name or description of a
 * desired config could carry to smuggle a second command into a CLI line, a request or a log line.
 *
 * @packageDocumentation
 */
import * as fc from 'fast-check';

const range = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/** C0 controls, DEL, C1 controls (NEL is U+0085), the Unicode line and paragraph separators. */
export const CONTROL_CHARACTERS: readonly string[] = [...range(0x00, 0x1f), '\x7f', ...range(0x80, 0x9f), '\u2028', '\u2029'];

/** Shell and CLI metacharacters: command separators, pipes, quotes, comments, substitutions, globs, whitespace. */
export const COMMAND_METACHARACTERS: readonly string[] = [';', '|', '&', '`', '$(', '#', '!', '"', "'", '\\', ' ', '\r\n', '>', '<', '{', '}', '*', '?', '~', '%'];

/**
 * Valid names that read like commands (and a 63-character one): a renderer must keep them inside their field as
 * well. Every one is a valid `SafeName`.
 */
export const COMMAND_WORDS: readonly string[] = ['quit', 'return', 'commit', 'undo', 'abort', 'system-view', 'description', 'end', 'exit', 'no', 'reload', '9', 'a.b_c-d', 'x'.repeat(63)];

/** Commands an attacker would append after a separator. */
const APPENDED_COMMANDS = ['quit', 'reboot', 'display current-configuration', ''];

const BAD_CHARACTERS: readonly string[] = [...CONTROL_CHARACTERS, ...COMMAND_METACHARACTERS];

/** Whether `text` holds one of the {@link CONTROL_CHARACTERS} (what a rendered operation must never carry). */
export function hasControlCharacter(text: string): boolean {
  for (const c of text) if (CONTROL_CHARACTERS.includes(c)) return true;
  return false;
}

/** One control character or metacharacter (CR LF counts as one). */
export function hostileCharacter(): fc.Arbitrary<string> {
  return fc.constantFrom(...BAD_CHARACTERS);
}

/** One of the valid but command-like {@link COMMAND_WORDS}. */
export function commandWord(): fc.Arbitrary<string> {
  return fc.constantFrom(...COMMAND_WORDS);
}

/**
 * Hostile values for a field whose valid value is `valid`, mixed from five shapes: random printable text salted
 * with control characters and metacharacters; the valid value with one bad character inserted; the valid value, a
 * separator and a command (`ls-web\nquit`); an over-long value (256 and 4097 characters); a command word (valid).
 *
 * @example
 * fc.assert(fc.property(hostileString('ls-web'), (name) => { const line = renderName(name); ... }));
 */
export function hostileString(valid = 'x'): fc.Arbitrary<string> {
  return fc.oneof(
    fc
      .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...range(0x21, 0x7e)) }, { weight: 2, arbitrary: hostileCharacter() }), { minLength: 1, maxLength: 24 })
      .map((a) => a.join('')),
    fc.tuple(fc.nat({ max: valid.length }), hostileCharacter()).map(([i, c]) => `${valid.slice(0, i)}${c}${valid.slice(i)}`),
    fc.tuple(hostileCharacter(), fc.constantFrom(...APPENDED_COMMANDS)).map(([c, cmd]) => `${valid}${c}${cmd}`),
    fc.constantFrom(256, 4097).map((n) => `${valid}${'a'.repeat(n)}`.slice(0, n)),
    commandWord(),
  );
}
