/**
 * The lab's LoadBalancer Service: the objects the lab writes itself (the test API server has no endpoints
 * controller, so the lab writes the EndpointSlice from the pods it plumbed) and the TCP client that connects to the VIP
 * from the outside namespace (and, for the peering check, from a pod to another VPC's pod).
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { DeviceProtocolError, decodeOrThrow } from '@netloom/ports';
import type { KubeObject } from './lab.control';
import { runIn } from './lab.exec';
import type { LabPod } from './lab.state';
import { OUTSIDE, WEB_SERVICE } from './lab.topology';

/**
 * The Service `red/web`: type LoadBalancer, `spec.loadBalancerIP` the lab's VIP (inside the profile's VIP pool),
 * port 8080 to the pods' 8080, selector app=web.
 */
export function webService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: WEB_SERVICE.namespace, name: WEB_SERVICE.name },
    spec: {
      type: 'LoadBalancer',
      loadBalancerIP: OUTSIDE.vip,
      selector: { app: 'web' },
      ports: [{ name: 'http', protocol: 'TCP', port: WEB_SERVICE.port, targetPort: WEB_SERVICE.port }],
    },
  };
}

/** An endpoint of the Service: a plumbed pod and whether it is ready. */
export interface WebEndpoint {
  readonly pod: LabPod & { ip: string };
  readonly ready: boolean;
}

/**
 * The Service's EndpointSlice (label `kubernetes.io/service-name`) with one endpoint per pod, `conditions.ready`
 * as given: what the endpoints controller of a real cluster would write.
 * @example await control.put([webEndpointSlice([{ pod: web1, ready: true }])]);
 */
export function webEndpointSlice(endpoints: readonly WebEndpoint[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: WEB_SERVICE.namespace, name: WEB_SERVICE.slice, labels: { 'kubernetes.io/service-name': WEB_SERVICE.name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: WEB_SERVICE.port }],
    endpoints: endpoints.map((e) => ({
      addresses: [e.pod.ip],
      conditions: { ready: e.ready, serving: e.ready, terminating: false },
      nodeName: e.pod.node,
      targetRef: { kind: 'Pod', namespace: e.pod.namespace, name: e.pod.name },
    })),
  };
}

// Connects `count` times one after the other and prints a JSON array: each answer's first line, or `!<reason>`.
const CLIENT = [
  "const net = require('node:net');",
  'const [host, port, count] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];',
  'const once = () => new Promise((resolve) => {',
  "  let data = ''; let done = false;",
  '  const finish = (v) => { if (!done) { done = true; s.destroy(); resolve(v); } };',
  '  const s = net.connect({ host, port });',
  '  s.setTimeout(3000);',
  "  s.on('data', (d) => { data += d; });",
  "  s.on('end', () => finish(data === '' ? '!closed without an answer' : data.split('\\n')[0]));",
  "  s.on('timeout', () => finish('!no answer within 3 s'));",
  "  s.on('error', (e) => finish('!' + (e.code || e.message)));",
  '});',
  '(async () => { const out = []; for (let i = 0; i < count; i++) out.push(await once()); console.log(JSON.stringify(out)); })();',
].join('\n');

const AnswersCodec = t.array(t.string);

/**
 * Opens `count` TCP connections, one after the other, from the namespace `ns` to `host:port` and returns what each
 * answered: the first line (a responder's pod name), or `!<reason>` (refused, reset, unreachable, no answer in 3 s).
 * @example const answers = await tcpAnswers('netloom-lab-pod-red-a1', '10.61.1.2', 8080, 3);
 */
export async function tcpAnswers(ns: string, host: string, port: number, count: number): Promise<string[]> {
  const out = await runIn(ns, process.execPath, ['-e', CLIENT, host, String(port), String(count)], { timeoutMs: 10_000 + count * 4_000 });
  let raw: unknown;
  try {
    raw = JSON.parse(out);
  } catch (e) {
    throw new DeviceProtocolError(`lab: the TCP client in ${ns} printed no JSON: ${out.slice(0, 200)}`, { cause: e });
  }
  return decodeOrThrow(AnswersCodec, raw, 'lab TCP client output');
}

/**
 * Opens `count` TCP connections, one after the other, from the client namespace to the VIP (see {@link tcpAnswers}).
 * @example const answers = await vipAnswers(6); // ['web-1', 'web-2', ...]
 */
export function vipAnswers(count: number): Promise<string[]> {
  return tcpAnswers(OUTSIDE.clientNs, OUTSIDE.vip, WEB_SERVICE.port, count);
}
