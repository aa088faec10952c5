/**
 * OVSDB remote strings (the `--db=` / `ovs-vsctl set-manager` syntax of `ovsdb(7)`), active side only:
 * `unix:<path>`, `tcp:<host>[:<port>]`, `ssl:<host>[:<port>]`, IPv6 hosts in brackets, default port 6640.
 *
 * @packageDocumentation
 */
import { InputError } from '@netloom/ports';

/** The IANA port of OVSDB, used when a `tcp:` or `ssl:` remote names none. */
export const OVSDB_DEFAULT_PORT = 6640;

/** A parsed active OVSDB remote. */
export type OvsdbRemote =
  | { readonly kind: 'unix'; readonly path: string }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | { readonly kind: 'ssl'; readonly host: string; readonly port: number };

/**
 * Parses an active remote string.
 *
 * @throws InputError naming the remote and what is wrong with it (passive `punix:`/`ptcp:`/`pssl:` remotes are
 *   rejected: a client connects, it does not listen).
 * @example
 * parseRemote('unix:/var/run/openvswitch/db.sock') // { kind: 'unix', path: '/var/run/openvswitch/db.sock' }
 * parseRemote('tcp:[::1]:6641')                    // { kind: 'tcp', host: '::1', port: 6641 }
 * parseRemote('ssl:10.0.0.5')                      // { kind: 'ssl', host: '10.0.0.5', port: 6640 }
 */
export function parseRemote(remote: string): OvsdbRemote {
  const bad = (reason: string): InputError => InputError.fromProblems(`OVSDB remote ${JSON.stringify(remote)}`, [{ path: 'remote', reason }]);
  const colon = remote.indexOf(':');
  if (colon < 0) throw bad('expected unix:<path>, tcp:<host>:<port> or ssl:<host>:<port>');
  const scheme = remote.slice(0, colon);
  const rest = remote.slice(colon + 1);
  if (scheme === 'unix') {
    if (rest === '') throw bad('the socket path is empty');
    return { kind: 'unix', path: rest };
  }
  if (scheme === 'tcp' || scheme === 'ssl') {
    let host: string;
    let portText: string | undefined;
    if (rest.startsWith('[')) {
      const end = rest.indexOf(']');
      if (end < 0) throw bad('an IPv6 address must be closed with "]"');
      host = rest.slice(1, end);
      const after = rest.slice(end + 1);
      if (after !== '' && !after.startsWith(':')) throw bad(`unexpected ${JSON.stringify(after)} after the IPv6 address`);
      portText = after === '' ? undefined : after.slice(1);
    } else {
      const parts = rest.split(':');
      if (parts.length > 2) throw bad('an IPv6 address must be written in brackets, e.g. tcp:[::1]:6640');
      host = parts[0]!;
      portText = parts[1];
    }
    if (host === '') throw bad('the host is empty');
    let port = OVSDB_DEFAULT_PORT;
    if (portText !== undefined) {
      if (!/^\d+$/.test(portText)) throw bad(`port ${JSON.stringify(portText)} is not a number`);
      port = Number(portText);
      if (port < 1 || port > 65535) throw bad(`port ${port} is outside 1..65535`);
    }
    return { kind: scheme, host, port };
  }
  if (scheme === 'punix' || scheme === 'ptcp' || scheme === 'pssl') throw bad(`${scheme}: is a passive (listening) remote; a client needs ${scheme.slice(1)}:`);
  throw bad(`unknown method ${JSON.stringify(scheme)} (expected unix, tcp or ssl)`);
}

/** The canonical text of a remote (for messages and logs). */
export function formatRemote(remote: OvsdbRemote): string {
  if (remote.kind === 'unix') return `unix:${remote.path}`;
  const host = remote.host.includes(':') ? `[${remote.host}]` : remote.host;
  return `${remote.kind}:${host}:${remote.port}`;
}
