/**
 * How the local Linux adapters show an argument vector as text (the `argv` medium of their rendered operations).
 *
 * @packageDocumentation
 */

const PLAIN_WORD = /^[A-Za-z0-9._:/=@%+,-]+$/;

/**
 * An argument vector as one line a POSIX shell would split back into exactly these arguments (a word with anything
 * but `[A-Za-z0-9._:/=@%+,-]` is single-quoted). This is the text of a rendered operation: readable, and every value
 * visibly stays one argument. The adapters themselves never use a shell.
 * @example commandText(['ip', 'link', 'set', 'dev', 'lo', 'alias', 'a b']) // "ip link set dev lo alias 'a b'"
 */
export function commandText(argv: readonly string[]): string {
  return argv.map((a) => (PLAIN_WORD.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
