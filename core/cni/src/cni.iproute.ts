/**
 * The kernel side of an attachment, through iproute2's `ip` run with execFile (never a shell): the veth pair, the
 * container end's MAC, MTU, addresses and default routes, and reads of all of them as JSON (`ip -j`) validated with
 * io-ts.
 *
 * Commands inside the pod's network namespace use `ip -n <name>` when the namespace is a named one
 * (`/var/run/netns/<name>`, `/run/netns/<name>`: containerd, CRI-O) and `nsenter --net=<path> ip …` otherwise
 * (`/proc/<pid>/ns/net`: Docker-style runtimes).
 *
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { decodeProblems, silentLogger, struct, type Logger } from '@netloom/ports';
import { CniError, CniErrorCode } from './cni.spec';

const strip = { unknownFields: 'strip' } as const;

/** A link as `ip -d -j link show` prints it (the fields netloom-cni reads). */
export const LinkCodec = struct(
  'link',
  { ifindex: t.number, ifname: t.string, flags: t.readonlyArray(t.string), mtu: t.number },
  { address: t.string, link_index: t.number, operstate: t.string, linkinfo: struct('linkinfo', {}, { info_kind: t.string }, strip) },
  strip,
);
/** A link. */
export type Link = t.TypeOf<typeof LinkCodec>;

/** An address as `ip -j addr show` prints it. */
export const AddrCodec = struct('address', { family: t.string, local: t.string, prefixlen: t.number }, { scope: t.string }, strip);
/** An address. */
export type Addr = t.TypeOf<typeof AddrCodec>;
const AddrListCodec = t.readonlyArray(struct('link addresses', {}, { addr_info: t.readonlyArray(AddrCodec) }, strip));

/** A route as `ip -j route show` prints it. */
export const RouteCodec = struct('route', { dst: t.string }, { gateway: t.string, dev: t.string }, strip);
/** A route. */
export type Route = t.TypeOf<typeof RouteCodec>;

/** Where to look for `ip` and `nsenter` besides PATH (a runtime may run plugins with a short PATH). */
const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin'];

/** The absolute path of an executable on PATH or in the system directories, or the bare name when none is found. */
export function findExecutable(name: string, envPath: string = process.env['PATH'] ?? ''): string {
  for (const dir of [...envPath.split(path.delimiter), ...SYSTEM_DIRS]) {
    if (dir === '' || !path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      /* next */
    }
  }
  return name;
}

/** The name of a named network namespace (`/var/run/netns/<name>`, `/run/netns/<name>`), else undefined. */
export function namedNetns(netns: string): string | undefined {
  const m = /^\/(?:var\/)?run\/netns\/([^/]+)$/.exec(netns);
  return m?.[1];
}

/** What {@link IpRoute.addVeth} creates. */
export interface VethSpec {
  /** Host end (stays in the host namespace). */
  readonly host: string;
  /** Container end's final name (`CNI_IFNAME`). */
  readonly peer: string;
  /** Container end's MAC. */
  readonly mac: string;
  readonly mtu: number;
  /** The pod's network namespace (a path). */
  readonly netns: string;
}

/** Options of {@link IpRoute}. */
export interface IpRouteOptions {
  readonly logger?: Logger;
  /** Per command (default 10 000 ms). */
  readonly timeoutMs?: number;
}

/** Why an `ip` command failed. */
interface ExecFailure {
  readonly stderr: string;
  readonly code: number | string | undefined;
}

/**
 * Runs `ip` for netloom-cni. Every failure is a `CniError` code 102 naming the command and iproute2's message.
 *
 * @example
 * const ip = new IpRoute();
 * await ip.addVeth({ host: 'nlv0123456789ab', peer: 'eth0', mac: '02:00:00:00:00:05', mtu: 1500, netns: '/var/run/netns/cni-1' });
 */
export class IpRoute {
  private readonly logger: Logger;
  private readonly ip = findExecutable('ip');
  private readonly nsenter = findExecutable('nsenter');

  constructor(private readonly options: IpRouteOptions = {}) {
    this.logger = options.logger ?? silentLogger;
  }

  /** Runs `ip <args>` in the host namespace, or in `netns`; resolves with stdout. */
  async run(args: readonly string[], netns?: string): Promise<string> {
    const r = await this.exec(args, netns);
    if (typeof r === 'string') return r;
    throw new CniError(CniErrorCode.kernel, `ip ${args.join(' ')}${netns !== undefined ? ` (in ${netns})` : ''} failed: ${r.stderr.trim() || `exit ${String(r.code)}`}`);
  }

  /** A link by name, or undefined when there is none. */
  async link(name: string, netns?: string): Promise<Link | undefined> {
    const r = await this.exec(['-d', '-j', 'link', 'show', 'dev', name], netns);
    if (typeof r !== 'string') {
      if (/does not exist|Cannot find device/i.test(r.stderr)) return undefined;
      throw new CniError(CniErrorCode.kernel, `ip link show ${name}${netns !== undefined ? ` (in ${netns})` : ''} failed: ${r.stderr.trim()}`);
    }
    const links = this.decode(t.readonlyArray(LinkCodec), r, `ip link show ${name}`);
    return links[0];
  }

  /** The addresses of a link (empty when it has none or does not exist). */
  async addresses(name: string, netns?: string): Promise<readonly Addr[]> {
    const r = await this.exec(['-j', 'addr', 'show', 'dev', name], netns);
    if (typeof r !== 'string') {
      if (/does not exist|Cannot find device/i.test(r.stderr)) return [];
      throw new CniError(CniErrorCode.kernel, `ip addr show ${name} failed: ${r.stderr.trim()}`);
    }
    return this.decode(AddrListCodec, r, `ip addr show ${name}`).flatMap((l) => l.addr_info ?? []);
  }

  /** The default routes of one family through a link. */
  async defaultRoutes(name: string, family: 4 | 6, netns?: string): Promise<readonly Route[]> {
    const r = await this.exec([family === 4 ? '-4' : '-6', '-j', 'route', 'show', 'default', 'dev', name], netns);
    if (typeof r !== 'string') {
      if (/does not exist|Cannot find device/i.test(r.stderr)) return [];
      throw new CniError(CniErrorCode.kernel, `ip route show default dev ${name} failed: ${r.stderr.trim()}`);
    }
    return this.decode(t.readonlyArray(RouteCodec), r, `ip route show default dev ${name}`);
  }

  /**
   * Creates the veth pair in one command: the host end in the host namespace, the container end directly in the pod's
   * namespace under its final name, with its MAC and both MTUs (so no temporary name can clash with a host interface).
   */
  async addVeth(v: VethSpec): Promise<void> {
    await this.run(['link', 'add', v.host, 'mtu', String(v.mtu), 'type', 'veth', 'peer', 'name', v.peer, 'address', v.mac, 'mtu', String(v.mtu), 'netns', v.netns]);
  }

  /** Deletes a link (a veth takes its peer with it). False when it did not exist. */
  async deleteLink(name: string, netns?: string): Promise<boolean> {
    const r = await this.exec(['link', 'del', 'dev', name], netns);
    if (typeof r === 'string') return true;
    if (/does not exist|Cannot find device/i.test(r.stderr)) return false;
    throw new CniError(CniErrorCode.kernel, `ip link del ${name} failed: ${r.stderr.trim()}`);
  }

  /** Sets a link up. */
  async setUp(name: string, netns?: string): Promise<void> {
    await this.run(['link', 'set', 'dev', name, 'up'], netns);
  }

  /** Adds an address (`10.1.0.5/24`); IPv6 without duplicate address detection, so it is usable at once. */
  async addAddress(name: string, cidr: string, netns?: string): Promise<void> {
    const v6 = cidr.includes(':');
    await this.run([...(v6 ? ['-6'] : []), 'addr', 'add', cidr, 'dev', name, ...(v6 ? ['nodad'] : [])], netns);
  }

  /** Adds the default route of the address's family via `gateway` through the link. */
  async addDefaultRoute(name: string, gateway: string, netns?: string): Promise<void> {
    await this.run([gateway.includes(':') ? '-6' : '-4', 'route', 'add', 'default', 'via', gateway, 'dev', name], netns);
  }

  private decode<A, O>(codec: t.Type<A, O, unknown>, stdout: string, what: string): A {
    let raw: unknown;
    try {
      raw = JSON.parse(stdout === '' ? '[]' : stdout);
    } catch (e) {
      throw new CniError(CniErrorCode.kernel, `${what}: iproute2 printed no JSON (is it older than 4.14?)`, undefined, { cause: e });
    }
    const r = decodeProblems(codec, raw);
    if (r.value === undefined) throw new CniError(CniErrorCode.kernel, `${what}: unexpected JSON: ${r.problems.map((p) => `${p.path || '(root)'}: ${p.reason}`).join('; ')}`);
    return r.value;
  }

  private exec(args: readonly string[], netns: string | undefined): Promise<string | ExecFailure> {
    let file = this.ip;
    let argv: string[] = [...args];
    if (netns !== undefined) {
      const named = namedNetns(netns);
      if (named !== undefined) argv = ['-n', named, ...args];
      else {
        file = this.nsenter;
        argv = [`--net=${netns}`, '--', this.ip, ...args];
      }
    }
    const started = Date.now();
    return new Promise((resolve) => {
      execFile(file, argv, { timeout: this.options.timeoutMs ?? 10_000, env: { PATH: process.env['PATH'] ?? SYSTEM_DIRS.join(':'), LC_ALL: 'C' }, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
        this.logger.debug({ cmd: [path.basename(file), ...argv].join(' '), ms: Date.now() - started, ok: error === null }, 'exec');
        if (error === null) resolve(stdout);
        else resolve({ stderr: String(stderr ?? '') || error.message, code: (error as NodeJS.ErrnoException).code ?? undefined });
      });
    });
  }
}
