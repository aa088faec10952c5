/**
 * `display ...` outputs of the Huawei CE dialect. Layouts are VRP-like best guesses (UNVERIFIED; see the strings
 * table); the *content* is exact: every output is derived from the running configuration.
 *
 * @packageDocumentation
 */
import { diffTrees, nodeAt, renderDiff, renderNode, renderTree, type ReadonlyConfigNode } from '../cli-device/config-tree';
import type { CommitRecord, ConfigEdit } from '../cli-device/datastore';
import { bridgeDomains, childValue, huaweiOrder, interfaceNode, interfaces, LINES } from './huawei-ce.config';
import { display } from './huawei-ce.strings';

/** Device facts `display version` shows. */
export interface VersionFacts {
  readonly model: string;
  readonly vrpVersion: string;
  readonly softwareVersion: string;
  /** Milliseconds the device has been up. */
  readonly uptimeMs: number;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (the simulator has no time zone configuration). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** The configuration body as `display current-configuration` prints it (from the first `#` to `return`). */
export function configBody(running: ReadonlyConfigNode): string[] {
  return [...renderTree(running, { separator: display.configSeparator, order: huaweiOrder }), display.configEnd];
}

/** `display current-configuration`: header lines, then the body. */
export function currentConfiguration(running: ReadonlyConfigNode, softwareVersion: string, last: CommitRecord | undefined): string[] {
  const header = [display.softwareVersionLine(softwareVersion)];
  if (last !== undefined) header.push(display.lastUpdatedLine(formatTime(last.time), last.user));
  return [...header, ...configBody(running)];
}

/** The blocks of `running` whose top line matches, rendered between `#` separators. */
export function configSection(running: ReadonlyConfigNode, match: (line: string) => boolean): string[] {
  return renderTree({ line: '', children: running.children.filter((c) => match(c.line)) }, { separator: display.configSeparator, order: huaweiOrder });
}

/** `display this`: the block of the current view (the whole configuration in the system view). */
export function displayThis(running: ReadonlyConfigNode, path: readonly string[]): string[] {
  if (path.length === 0) return configBody(running);
  const node = nodeAt(running, path);
  if (node === undefined) return [display.configSeparator, display.configEnd];
  return [display.configSeparator, ...renderNode(node, { order: huaweiOrder }, 0, path.slice(0, -1)), display.configSeparator, display.configEnd];
}

/** `display configuration candidate changes`: `+`/`-` lines with unchanged parents as context. */
export function candidateChanges(running: ReadonlyConfigNode, candidate: ReadonlyConfigNode): string[] {
  return renderDiff(diffTrees(running, candidate, huaweiOrder));
}

/**
 * `display configuration candidate`: the uncommitted commands as typed, indented by view, with the view lines they
 * were typed under as context.
 */
export function candidateCommands(edits: readonly ConfigEdit[]): string[] {
  const out: string[] = [];
  let current: readonly string[] = [];
  for (const edit of edits) {
    let common = 0;
    while (common < edit.path.length && common < current.length && edit.path[common] === current[common]) common++;
    for (let i = common; i < edit.path.length; i++) out.push(' '.repeat(i) + edit.path[i]!);
    out.push(' '.repeat(edit.path.length) + edit.command);
    current = edit.path;
  }
  return out.length === 0 ? [] : [display.configSeparator, ...out, display.configSeparator];
}

/** `display bridge-domain`. */
export function bridgeDomainTable(running: ReadonlyConfigNode): string[] {
  const bds = bridgeDomains(running).sort((a, b) => a.bd - b.bd);
  const rows = bds.map(({ bd, node }) => {
    const desc = childValue(node, /^description (.*)$/) ?? '';
    return `${String(bd).padEnd(9)}up    enable  disable FWD FWD FWD disable ${desc}`.trimEnd();
  });
  return [...display.bridgeDomainHeader(bds.length), ...rows];
}

/** `display vxlan vni`: one row per BD VNI; up when the NVE has a source address. */
export function vxlanVniTable(running: ReadonlyConfigNode): string[] {
  const nve = interfaceNode(running, 'Nve1');
  const up = nve !== undefined && childValue(nve, LINES.source) !== undefined;
  const rows: Array<{ vni: number; text: string }> = [];
  for (const { bd, node } of bridgeDomains(running)) {
    const vni = childValue(node, LINES.vxlanVni);
    if (vni !== undefined) rows.push({ vni: Number(vni), text: `${vni.padEnd(15)}${String(bd).padEnd(17)}${up ? 'up' : 'down'}` });
  }
  rows.sort((a, b) => a.vni - b.vni);
  return [...display.vxlanVniHeader(rows.length), ...rows.map((r) => r.text)];
}

/** `display vxlan tunnel`: the simulator learns no BGP EVPN peers, so the table is empty. */
export function vxlanTunnelTable(): string[] {
  return display.vxlanTunnelHeader(0);
}

/** `display interface brief`: every interface in the configuration. */
export function interfaceBrief(running: ReadonlyConfigNode): string[] {
  const rows = interfaces(running)
    .sort((a, b) => huaweiOrder([], a.node.line, b.node.line))
    .map(({ name, node }) => {
      const down = node.children.some((c) => c.line === 'shutdown');
      const phy = down ? '*down' : name.startsWith('Nve') && childValue(node, LINES.source) === undefined ? 'down' : 'up';
      const proto = phy === 'up' ? (name.startsWith('LoopBack') ? 'up(s)' : 'up') : 'down';
      return `${name.padEnd(30)}${phy.padEnd(9)}${proto.padEnd(10)}${'0%'.padStart(5)}${'0%'.padStart(7)}${'0'.padStart(11)}${'0'.padStart(11)}`;
    });
  return [...display.interfaceBriefHeader, ...rows];
}

/** `display version`. */
export function versionText(facts: VersionFacts): string[] {
  const minutes = Math.floor(facts.uptimeMs / 60000);
  const uptime = `${Math.floor(minutes / 1440)} days, ${Math.floor(minutes / 60) % 24} hours, ${minutes % 60} minutes`;
  return display.version({
    vrpVersion: facts.vrpVersion,
    series: facts.model.split('-')[0] ?? facts.model,
    softwareVersion: facts.softwareVersion,
    model: facts.model,
    uptime,
  });
}

function commitType(record: CommitRecord): string {
  return record.kind === 'rollback' ? 'Rollback' : record.kind === 'trial' ? 'CLI(trial)' : 'CLI';
}

/** `display configuration commit list [verbose]`, newest first. */
export function commitList(records: readonly CommitRecord[], verbose: boolean): string[] {
  if (records.length === 0) return [display.noCommits];
  const newest = [...records].reverse();
  if (!verbose) {
    return [
      ...display.commitListHeader,
      ...newest.map(
        (r, i) =>
          ` ${String(i + 1).padEnd(5)}${String(r.id).padEnd(14)}${(r.label ?? '-').padEnd(22)}${r.user.padEnd(16)}${commitType(r).padEnd(13)}${formatTime(r.time)}`,
      ),
    ];
  }
  const out: string[] = [];
  newest.forEach((r, i) => {
    out.push(
      `${i + 1}) CommitId: ${r.id}`,
      `   Label: ${r.label ?? '-'}`,
      `   User: ${r.user}`,
      `   User-Intf: ${r.terminal}`,
      `   Type: ${commitType(r)}`,
      `   TimeStamp: ${formatTime(r.time)}`,
      `   Description: ${r.description ?? '-'}`,
      '',
    );
  });
  return out;
}
