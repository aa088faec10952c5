/**
 * The lab's load balancer: one detached process (in the load-balancer namespace, started by `netloom lab up`, its
 * PID in the state file) that runs the F5 BIG-IP simulator of @netloom/conformance — iControl REST over HTTPS on the
 * namespace's management address, with a certificate of the lab CA for that address, and the TCP forwarder, which
 * listens on every virtual server address local to this namespace (the Service's VIP on `ext0`) and pipes each
 * connection to an enabled pool member (the pods, through the inside interface `eth0`).
 *
 * `node lab.f5.js <lab dir>`: reads the admin password from `lb/admin-password` (written by `lab up`, mode 0600),
 * writes the CA to `lb/ca.pem` (the profile's `tls.ca`) and then `lb/ready.json`. SIGTERM or SIGINT end it.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import { startF5BigipSimulator } from '@netloom/conformance/simulators';
import { InputError } from '@netloom/ports';
import { makeLabCertificates } from './lab.certs';
import { LB, LB_REST_PORT, LB_USER, labFiles } from './lab.topology';

/**
 * Runs the simulator for the lab in `dir` until SIGTERM or SIGINT.
 * @example await runLabF5('/run/netloom-lab');
 */
export async function runLabF5(dir: string): Promise<void> {
  const files = labFiles(dir);
  const password = fs.readFileSync(files.lbPassword, 'utf8').trim();
  if (password === '') throw new InputError(`lab load balancer: ${files.lbPassword} is empty`);
  const tls = await makeLabCertificates([LB.mgmtIp]);
  const sim = await startF5BigipSimulator({ tls, host: LB.mgmtIp, port: LB_REST_PORT, users: { [LB_USER]: { password } }, forwarding: true });
  fs.writeFileSync(files.lbCa, tls.ca, { mode: 0o644 });
  fs.writeFileSync(files.lbReady, JSON.stringify({ pid: process.pid, url: sim.url }));
  process.stdout.write(`F5 BIG-IP simulator on ${sim.url}, forwarding on\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  // What the forwarder could not open is the first thing to read after a failed check.
  for (const f of sim.listenerFailures()) process.stdout.write(`listener failed: ${f}\n`);
  await sim.close();
}

if (require.main === module) {
  const dir = process.argv[2];
  if (dir === undefined) {
    process.stderr.write('usage: node lab.f5.js <lab dir>\n');
    process.exit(2);
  }
  runLabF5(dir).then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`lab load balancer failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
