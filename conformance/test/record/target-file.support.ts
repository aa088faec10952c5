/** Re-exports for the target-file tests, and the netloom error code of a thrown value. */
export { fabricSamples, fitSamples, loadTargetFile, outsideAllow, RecordingRedactor } from '@netloom/conformance';

/** The `code` of a netloom error (undefined for anything else). */
export function ErrorCodeOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
