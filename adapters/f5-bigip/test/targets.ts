// The simulator targets of this package's tests: the adapter ships `f5BigipTarget` (structural, without
// @netloom/conformance); the simulator comes from @netloom/conformance/simulators, which only tests may import.
// Typing the result as the kit's `SimulatorTarget` proves the shapes fit.
import type { SimulatorTarget } from '@netloom/conformance';
import { makeTestCertificates, startF5BigipSimulator, type F5BigipSimulator, type F5BigipSimulatorOptions, type TestCertificates } from '@netloom/conformance/simulators';
import { f5BigipTarget } from '@netloom/adapter-f5-bigip';

/** The user every test logs in as. */
export const CREDENTIALS = { username: 'netloom', password: 'n3tl00m-F5-S3cret!' } as const;

let certs: Promise<TestCertificates> | undefined;

/** One CA and server certificate for the whole run (openssl is slow enough to share them). */
export function testCertificates(): Promise<TestCertificates> {
  certs ??= makeTestCertificates({ caName: 'netloom F5 adapter test CA' });
  return certs;
}

/** Starts a simulator with the test user and the shared certificate. */
export async function startSimulator(options: F5BigipSimulatorOptions = {}): Promise<F5BigipSimulator> {
  return startF5BigipSimulator({ tls: await testCertificates(), users: { [CREDENTIALS.username]: { password: CREDENTIALS.password } }, ...options });
}

/** The simulator targets of this adapter, per device port (one fresh simulated BIG-IP per check). */
export const conformanceTargets: { readonly loadBalancer: SimulatorTarget } = {
  loadBalancer: f5BigipTarget({ start: () => startSimulator(), credentials: CREDENTIALS }),
};
