import * as path from 'node:path';
import type { KubeWatchEvent } from '@netloom/ports';

/** The demo scenario of the example profiles. */
export const DEMO_SCENARIO = path.resolve(__dirname, '..', '..', '..', 'docs', 'examples', 'scenario.yaml');

/** A clock tests move by hand (milliseconds since the epoch). */
export class FakeClock {
  ms = Date.UTC(2025, 0, 1);
  readonly now = (): number => this.ms;
  advance(sec: number): void {
    this.ms += sec * 1000;
  }
}

/** Scenario YAML around a steps block (indented by the caller as a YAML list). */
export function scenarioText(steps: string, name = 'test'): string {
  return `apiVersion: netloom.io/v1alpha1\nkind: Scenario\nmetadata: { name: ${name} }\nsteps:\n${steps}`;
}

/** `added Pod shop/web-0` — one line per event, for readable assertions. */
export function describeEvent(e: KubeWatchEvent): string {
  const ns = e.object.metadata.namespace;
  return `${e.type} ${e.object.kind} ${ns === undefined ? '' : `${ns}/`}${e.object.metadata.name}`;
}
