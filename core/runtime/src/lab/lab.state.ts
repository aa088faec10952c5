/**
 * The lab state file (default `/run/netloom-lab/state.json`): every namespace, link, process and directory the lab
 * creates, recorded BEFORE it is created, so that `netloom lab down` can always remove it — after a failed `up`, a
 * killed daemon or a crash half-way. It also holds what the checks need (nodes, pods) and the snapshot of the root
 * network namespace taken before `up` (check (f) compares against it).
 *
 * Written atomically (temporary file + rename), mode 0600; read back through an io-ts codec.
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { decodeOrThrow } from '@netloom/ports';

const DirItem = t.type({ kind: t.literal('dir'), id: t.string, path: t.string });
// A file the lab writes into a directory it did not create (`--dir` naming an existing one): the profile.
const FileItem = t.type({ kind: t.literal('file'), id: t.string, path: t.string });
const NetnsItem = t.type({ kind: t.literal('netns'), id: t.string, name: t.string });
const LinkItem = t.intersection([t.type({ kind: t.literal('link'), id: t.string, name: t.string }), t.partial({ ns: t.string })]);
const ProcessItem = t.intersection([
  t.type({ kind: t.literal('process'), id: t.string, name: t.string, program: t.string }),
  t.partial({ pid: t.number, pidfile: t.string, ns: t.string }),
]);

/** One thing the lab created (or is about to create). */
export const LabItemCodec = t.union([DirItem, FileItem, NetnsItem, LinkItem, ProcessItem]);
/** One thing the lab created: a directory, a file, a network namespace, a link, a process. */
export type LabItem = t.TypeOf<typeof LabItemCodec>;

/** A simulated node: its namespace, OVS directory, management address and leaf port. */
export const LabNodeCodec = t.type({ name: t.string, index: t.number, ns: t.string, dir: t.string, mgmtIp: t.string, leafPort: t.string, vswitch: t.string });
/** A simulated node. */
export type LabNode = t.TypeOf<typeof LabNodeCodec>;

/** A pod the lab created: API object + network namespace plumbed by netloom-cni. */
export const LabPodCodec = t.intersection([
  t.type({ namespace: t.string, name: t.string, node: t.string, netns: t.string, containerId: t.string }),
  // sharedNetns: the pod's interface was plumbed into a lab namespace that is not the pod's own (the load
  // balancer's inside); deleting the pod must not delete that namespace.
  t.partial({ fixedIp: t.string, ip: t.string, subnet: t.string, sharedNetns: t.boolean }),
]);
/** A pod the lab created. */
export type LabPod = t.TypeOf<typeof LabPodCodec>;

/**
 * Where the controller of the lab reads the cluster: `kubernetes` (the test API server, through the client-node
 * Kubernetes adapter) or `scenario` (the scenario source; the API server then only serves netloom-cni).
 */
export const LabSourceCodec = t.keyof({ kubernetes: null, scenario: null }, '"kubernetes" | "scenario"');
/** See {@link LabSourceCodec}. */
export type LabSource = t.TypeOf<typeof LabSourceCodec>;

/** The whole state file. */
export const LabStateCodec = t.intersection([
  t.type({
    version: t.literal(1),
    dir: t.string,
    createdAt: t.string,
    baseline: t.type({ netns: t.array(t.string), links: t.array(t.string) }),
    items: t.array(LabItemCodec),
    nodes: t.array(LabNodeCodec),
    pods: t.array(LabPodCodec),
  }),
  // Absent in state files of labs from before the choice: the test API server.
  t.partial({ source: LabSourceCodec }),
]);
/** The lab state file's content. */
export type LabStateData = t.TypeOf<typeof LabStateCodec>;

/** The default lab directory. */
export const DEFAULT_LAB_DIR = '/run/netloom-lab';

/** The state file of a lab directory. */
export function stateFile(dir: string): string {
  return path.join(dir, 'state.json');
}

/**
 * The lab state, kept on disk after every change.
 * @example
 * const state = LabState.create(dir, baseline);
 * await state.record({ kind: 'netns', id: 'netns:x', name: 'netloom-lab-x' }); // then create it
 */
export class LabState {
  private constructor(
    readonly file: string,
    private data: LabStateData,
  ) {}

  /** A fresh state for `dir` (written at once). */
  static create(dir: string, baseline: LabStateData['baseline'], source: LabSource = 'kubernetes'): LabState {
    const s = new LabState(stateFile(dir), { version: 1, dir, createdAt: new Date().toISOString(), baseline, items: [], nodes: [], pods: [], source });
    s.flush();
    return s;
  }

  /** The state of `dir`, or undefined when there is none. @throws InputError when the file is not a lab state */
  static load(dir: string): LabState | undefined {
    const file = stateFile(dir);
    if (!fs.existsSync(file)) return undefined;
    const raw: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return new LabState(file, decodeOrThrow(LabStateCodec, raw, `lab state ${file}`));
  }

  /** Everything recorded, oldest first. */
  get items(): readonly LabItem[] {
    return this.data.items;
  }
  get nodes(): readonly LabNode[] {
    return this.data.nodes;
  }
  get pods(): readonly LabPod[] {
    return this.data.pods;
  }
  get baseline(): LabStateData['baseline'] {
    return this.data.baseline;
  }
  get dir(): string {
    return this.data.dir;
  }
  /** Where the controller reads the cluster. */
  get source(): LabSource {
    return this.data.source ?? 'kubernetes';
  }

  /** Records an item (before it is created). Replaces an item of the same id. */
  record(item: LabItem): void {
    this.data = { ...this.data, items: [...this.data.items.filter((i) => i.id !== item.id), item] };
    this.flush();
  }

  /** Updates a recorded process with its PID. */
  setPid(id: string, pid: number): void {
    this.data = { ...this.data, items: this.data.items.map((i) => (i.id === id && i.kind === 'process' ? { ...i, pid } : i)) };
    this.flush();
  }

  /** Forgets items (after they were removed). */
  forget(ids: readonly string[]): void {
    const drop = new Set(ids);
    this.data = { ...this.data, items: this.data.items.filter((i) => !drop.has(i.id)) };
    this.flush();
  }

  /** Adds or replaces a node (by name). */
  putNode(node: LabNode): void {
    this.data = { ...this.data, nodes: [...this.data.nodes.filter((n) => n.name !== node.name), node] };
    this.flush();
  }

  /** Removes a node. */
  removeNode(name: string): void {
    this.data = { ...this.data, nodes: this.data.nodes.filter((n) => n.name !== name) };
    this.flush();
  }

  /** Adds or replaces a pod (by namespace/name). */
  putPod(pod: LabPod): void {
    this.data = { ...this.data, pods: [...this.data.pods.filter((p) => !(p.namespace === pod.namespace && p.name === pod.name)), pod] };
    this.flush();
  }

  /** Removes a pod. */
  removePod(namespace: string, name: string): void {
    this.data = { ...this.data, pods: this.data.pods.filter((p) => !(p.namespace === namespace && p.name === name)) };
    this.flush();
  }

  /** Deletes the state file (after a complete `down`). */
  remove(): void {
    fs.rmSync(this.file, { force: true });
  }

  private flush(): void {
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(this.data, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
