/**
 * `show ...` outputs of the Ruijie RGOS dialect and the output filters. Layouts are IOS/RGOS-like best guesses
 * (UNVERIFIED; see the strings table); the *content* is exact: every output is derived from running.
 *
 * @packageDocumentation
 */
import { findChild, renderNode, sortTree, type ReadonlyConfigNode } from '../cli-device/config-tree';
import { splitWords, type MatchFailure } from '../cli-device/grammar';
import { childValue, interfaceBlocks, nveMembers, opensMode, rgosOrder, typeOfInterface, vlanBlocks, vrfBlocks } from './ruijie-rgos.config';
import { lines, pipeFilters, show } from './ruijie-rgos.strings';
import { compareKeys, interfaceSortKey } from './ruijie-rgos.values';

/** `YYYY-MM-DD HH:MM:SS` in UTC (the simulator has no time zone configuration). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

/** An uptime as `D:HH:MM:SS`. */
export function formatUptime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${Math.floor(s / 86400)}:${pad(Math.floor(s / 3600) % 24)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}

/**
 * The body of `show running-config`: `!`, the version line, then the top-level lines; every block that opens a mode
 * (VLAN, VRF, interface) after a `!` line, sub-lines indented one space; then `!` and `end`.
 */
export function configBody(running: ReadonlyConfigNode, version: string): string[] {
  const sorted = sortTree(running, rgosOrder);
  const out: string[] = [show.separator, show.versionLine(version)];
  let previousWasBlock = false;
  for (const node of sorted.children) {
    const block = opensMode(node.line);
    if (block || previousWasBlock) out.push(show.separator);
    out.push(...renderNode(node, { indent: ' ' }));
    previousWasBlock = block;
  }
  out.push(show.separator, show.end);
  return out;
}

/** `show running-config`: the header (with the byte count of the body), then the body. */
export function runningConfig(running: ReadonlyConfigNode, version: string): string[] {
  const body = configBody(running, version);
  return [...show.runningHeader(body.join('\n').length + 1), ...body];
}

/** `show running-config interface <name>`: the interface's block (nothing when it does not exist). */
export function runningInterface(running: ReadonlyConfigNode, name: string): string[] {
  const node = findChild(running, lines.iface.render(name));
  return node === undefined ? [] : renderNode(sortTree({ line: '', children: [node] }, rgosOrder).children[0]!, { indent: ' ' });
}

/** `show version`. */
export function version(o: { model: string; version: string; sysObjectId: string; startedAt: number; now: number }): string[] {
  return show.version({ model: o.model, version: o.version, sysObjectId: o.sysObjectId, startTime: formatTime(o.startedAt), uptime: formatUptime(o.now - o.startedAt) });
}

/** `show interfaces status`: every physical port of the inventory. */
export function interfacesStatus(running: ReadonlyConfigNode, inventory: ReadonlySet<string>): string[] {
  const ports = [...inventory].sort((a, b) => compareKeys(interfaceSortKey(a), interfaceSortKey(b)));
  const rows = ports.map((name) => {
    const node = findChild(running, lines.iface.render(name));
    const shut = node !== undefined && findChild(node, lines.shutdown.render()) !== undefined;
    const trunk = node !== undefined && findChild(node, lines.switchportTrunk.render()) !== undefined;
    return show.interfacesStatusRow({
      name,
      status: shut ? show.statusDisabled : show.statusUp,
      vlan: trunk ? show.vlanTrunk : '1',
      speed: typeOfInterface(name)?.speed ?? show.none,
    });
  });
  return [...show.interfacesStatusHeader, ...rows];
}

/** `show vxlan`: the VTEP summary. */
export function vxlanSummary(running: ReadonlyConfigNode): string[] {
  const nve = interfaceBlocks(running).find((i) => i.kind === 'nve');
  if (nve === undefined) return [show.noVtep];
  const members = nveMembers(running);
  return show.vxlanSummary({
    nve: nve.name,
    source: childValue(nve.node, lines.sourceInterface.match) ?? show.none,
    l2: members.filter((m) => !m.l3).length,
    l3: members.filter((m) => m.l3).length,
  });
}

/** `show vxlan vni`: every mapped VNI (VLAN and VRF), by number. */
export function vxlanVni(running: ReadonlyConfigNode): string[] {
  const members = new Set(nveMembers(running).map((m) => m.vni));
  const sviVrf = (vlan: number): string => {
    const svi = findChild(running, lines.iface.render(`VLAN ${vlan}`));
    return (svi === undefined ? undefined : childValue(svi, lines.vrfForwarding.match)) ?? show.none;
  };
  const rows: Array<{ vni: number; type: 'L2' | 'L3'; vlan: string; vrf: string }> = [];
  for (const { vlan, node } of vlanBlocks(running)) {
    const vni = childValue(node, lines.vxlanVni.match);
    if (vni !== undefined) rows.push({ vni: Number(vni), type: 'L2', vlan: String(vlan), vrf: sviVrf(vlan) });
  }
  for (const { name, node } of vrfBlocks(running)) {
    const vni = childValue(node, lines.vrfVni.match);
    if (vni !== undefined) rows.push({ vni: Number(vni), type: 'L3', vlan: show.none, vrf: name });
  }
  rows.sort((a, b) => a.vni - b.vni);
  return [...show.vxlanVniHeader, ...rows.map((r) => show.vxlanVniRow({ ...r, member: members.has(r.vni) }))];
}

// ---------------------------------------------------------------------------------------------------------------
// Output filters

/** An output filter after `|`. */
export interface RgosPipeFilter {
  readonly kind: (typeof pipeFilters)[number];
  readonly pattern: RegExp;
}

/** A line split at `|`: the command part and the filter, or the failure of a malformed filter (with its column). */
export type RgosPipeSplit =
  | { readonly command: string; readonly filter: RgosPipeFilter }
  | { readonly command: string; readonly error: { readonly failure: MatchFailure; readonly column: number } };

/** Splits `show ... | include <regex>` (also `exclude`, `begin`, `section`; abbreviable) at the first `|`. */
export function splitRgosPipe(line: string): RgosPipeSplit | undefined {
  const bar = line.indexOf('|');
  if (bar < 0) return undefined;
  const command = line.slice(0, bar).replace(/[ \t]+$/, '');
  const tail = line.slice(bar + 1);
  const words = splitWords(tail);
  const end = line.replace(/[ \t]+$/, '').length;
  const first = words[0];
  if (first === undefined) return { command, error: { failure: 'incomplete', column: end } };
  const kinds = pipeFilters.filter((k) => k.startsWith(first.text.toLowerCase()));
  if (kinds.length !== 1) return { command, error: { failure: kinds.length > 1 ? 'ambiguous' : 'unrecognized', column: bar + 1 + first.column } };
  const second = words[1];
  if (second === undefined) return { command, error: { failure: 'incomplete', column: end } };
  const source = tail.slice(second.column).replace(/[ \t]+$/, '');
  try {
    return { command, filter: { kind: kinds[0]!, pattern: new RegExp(source) } };
  } catch {
    return { command, error: { failure: 'wrong-parameter', column: bar + 1 + second.column } };
  }
}

/**
 * Applies an output filter. `section` keeps every block (a line that is not indented, with the indented lines after
 * it) in which any line matches.
 */
export function applyRgosPipe(output: readonly string[], filter: RgosPipeFilter | undefined): string[] {
  if (filter === undefined) return [...output];
  const test = (l: string): boolean => {
    filter.pattern.lastIndex = 0;
    return filter.pattern.test(l);
  };
  switch (filter.kind) {
    case 'include':
      return output.filter(test);
    case 'exclude':
      return output.filter((l) => !test(l));
    case 'begin': {
      const i = output.findIndex(test);
      return i < 0 ? [] : output.slice(i);
    }
    case 'section': {
      const out: string[] = [];
      let block: string[] = [];
      const flush = (): void => {
        if (block.some(test)) out.push(...block);
        block = [];
      };
      for (const l of output) {
        if (!l.startsWith(' ')) flush();
        block.push(l);
      }
      flush();
      return out;
    }
  }
}
