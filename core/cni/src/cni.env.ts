/**
 * The environment a runtime runs a CNI plugin with (spec "Parameters"), read and checked once.
 *
 * | variable | ADD | CHECK | DEL | VERSION |
 * |---|---|---|---|---|
 * | `CNI_COMMAND` | required | required | required | required |
 * | `CNI_CONTAINERID` | required | required | required | — |
 * | `CNI_NETNS` | required | required | optional (the namespace may be gone) | — |
 * | `CNI_IFNAME` | required | required | required | — |
 * | `CNI_ARGS` | `K8S_POD_NAMESPACE`, `K8S_POD_NAME` required | same | optional | — |
 * | `CNI_PATH` | optional | optional | optional | — |
 *
 * @packageDocumentation
 */
import { CniError, CniErrorCode, parseCniArgs } from './cni.spec';

/** The CNI verbs. */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** The verbs netloom-cni implements. */
export const CNI_COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION'];

/** A pod, as `CNI_ARGS` names it. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  /** `K8S_POD_UID` when the runtime passes it (containerd and CRI-O do): guards against a re-created namesake. */
  readonly uid?: string;
}

/** The checked environment of one invocation. */
export interface CniEnv {
  readonly command: CniCommand;
  /** `CNI_CONTAINERID` (empty for VERSION). */
  readonly containerId: string;
  /** `CNI_NETNS`: a path (`/var/run/netns/cni-…`, `/proc/<pid>/ns/net`); empty when the runtime gave none (DEL). */
  readonly netns: string;
  /** `CNI_IFNAME`: the interface name inside the container (empty for VERSION). */
  readonly ifname: string;
  /** `CNI_ARGS`, parsed. */
  readonly args: Readonly<Record<string, string>>;
  /** The pod, from `CNI_ARGS` (absent when the runtime gave no `K8S_POD_*`; only DEL may do without). */
  readonly pod?: PodRef;
  /** `CNI_PATH`, split. */
  readonly path: readonly string[];
}

/** Spec: alphanumerics, then alphanumerics, `_`, `.` and `-`. */
const CONTAINER_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** A Kubernetes namespace (DNS-1123 label). */
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A Kubernetes object name (DNS-1123 subdomain). */
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Why `name` cannot be a Linux interface name (spec: at most 15 characters, not empty, not `.` or `..`, no `/`, `:`
 * or white space), or undefined when it can.
 * @example ifnameProblem('eth0') // undefined
 * @example ifnameProblem('a-very-long-interface') // 'is longer than 15 characters'
 */
export function ifnameProblem(name: string): string | undefined {
  if (name === '') return 'is empty';
  if (name.length > 15) return 'is longer than 15 characters';
  if (name === '.' || name === '..') return `is ${JSON.stringify(name)}`;
  if (/[/:\s]/.test(name)) return 'contains "/", ":" or white space';
  return undefined;
}

/**
 * Reads and checks the CNI environment for the command it names.
 *
 * @throws CniError code 4 (invalid environment) naming every missing or invalid variable; code 6 for a malformed
 *   `CNI_ARGS`.
 * @example readCniEnv({ CNI_COMMAND: 'VERSION' }).command // 'VERSION'
 */
export function readCniEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = env['CNI_COMMAND'] ?? '';
  if (!(CNI_COMMANDS as readonly string[]).includes(command)) {
    throw new CniError(
      CniErrorCode.invalidEnvironment,
      command === '' ? 'CNI_COMMAND is not set' : `CNI_COMMAND ${JSON.stringify(command)} is not one of ${CNI_COMMANDS.join(', ')}`,
      'netloom-cni is run by the container runtime with CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME and CNI_ARGS set',
    );
  }
  const cmd = command as CniCommand;
  const path = (env['CNI_PATH'] ?? '').split(':').filter((p) => p !== '');
  if (cmd === 'VERSION') return { command: cmd, containerId: '', netns: '', ifname: '', args: {}, path };

  const problems: string[] = [];
  const containerId = env['CNI_CONTAINERID'] ?? '';
  if (containerId === '') problems.push('CNI_CONTAINERID is not set');
  else if (!CONTAINER_ID.test(containerId)) problems.push(`CNI_CONTAINERID ${JSON.stringify(containerId)} is not an alphanumeric start followed by alphanumerics, "_", "." or "-"`);
  const netns = env['CNI_NETNS'] ?? '';
  if (cmd !== 'DEL' && netns === '') problems.push('CNI_NETNS is not set');
  else if (netns !== '' && !netns.startsWith('/')) problems.push(`CNI_NETNS ${JSON.stringify(netns)} is not an absolute path`);
  const ifname = env['CNI_IFNAME'] ?? '';
  const ifProblem = ifnameProblem(ifname);
  if (ifProblem !== undefined) problems.push(ifname === '' ? 'CNI_IFNAME is not set' : `CNI_IFNAME ${JSON.stringify(ifname)} ${ifProblem}`);

  const args = parseCniArgs(env['CNI_ARGS']);
  const namespace = args['K8S_POD_NAMESPACE'];
  const name = args['K8S_POD_NAME'];
  const uid = args['K8S_POD_UID'];
  let pod: PodRef | undefined;
  if (namespace !== undefined && name !== undefined && namespace !== '' && name !== '') {
    if (!DNS_LABEL.test(namespace)) problems.push(`CNI_ARGS K8S_POD_NAMESPACE ${JSON.stringify(namespace)} is not a Kubernetes namespace name`);
    if (!DNS_SUBDOMAIN.test(name)) problems.push(`CNI_ARGS K8S_POD_NAME ${JSON.stringify(name)} is not a Kubernetes object name`);
    pod = { namespace, name, ...(uid !== undefined && uid !== '' ? { uid } : {}) };
  } else if (cmd !== 'DEL') {
    problems.push('CNI_ARGS must carry K8S_POD_NAMESPACE and K8S_POD_NAME (netloom-cni plumbs Kubernetes pods)');
  }
  if (problems.length > 0) throw new CniError(CniErrorCode.invalidEnvironment, `invalid environment: ${problems.join('; ')}`, problems.join('\n'));
  return { command: cmd, containerId, netns, ifname, args, ...(pod !== undefined ? { pod } : {}), path };
}
