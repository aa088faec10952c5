/**
 * The intent-plugin test kit: an in-memory `IntentContext` and builders of its inputs, to test one intent
 * plugin without the engine.
 */
export * from './intent.context';
export * from './intent.objects';
