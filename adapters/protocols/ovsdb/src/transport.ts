/**
 * Opens the byte stream under an OVSDB session: a unix socket, TCP, or TLS over TCP. Every failure becomes a
 * netloom error with the low-level error kept as `cause`.
 *
 * @packageDocumentation
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { DeviceConnectionError, InputError, redact } from '@netloom/ports';
import { formatRemote, type OvsdbRemote } from './remote';

/**
 * TLS settings for `ssl:` remotes. ovsdb-server's `pssl:` listener demands a client certificate signed by its CA,
 * so `cert` and `key` are normally required as well as `ca`.
 */
export interface OvsdbTlsOptions {
  /** PEM CA certificate(s) that must have signed the server's certificate. Default: Node's public root store. */
  readonly ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** PEM client certificate (chain). */
  readonly cert?: string | Buffer;
  /** PEM private key of the client certificate. Never logged, never put in an error. */
  readonly key?: string | Buffer;
  /** Passphrase of `key`, if it is encrypted. Never logged, never put in an error. */
  readonly passphrase?: string;
  /**
   * Refuse a server whose certificate chain does not verify against `ca` (default true). Turning it off makes the
   * connection open to a man in the middle; it exists for labs only.
   */
  readonly rejectUnauthorized?: boolean;
  /**
   * Also check that the certificate names the host connected to (default true). OVS's own tools only check the
   * chain, and certificates made by `ovs-pki` carry no host name; set false for those (the chain is still
   * verified).
   */
  readonly verifyHostname?: boolean;
  /** SNI server name and the name checked by `verifyHostname` (default: the remote's host when it is a name). */
  readonly servername?: string;
}

/** Options of {@link openTransport}. */
export interface TransportOptions {
  /** Give up connecting after this long (default 10 000 ms). */
  readonly connectTimeoutMs?: number;
  /** Needed for `ssl:` remotes. */
  readonly tls?: OvsdbTlsOptions;
}

/** Node error codes of a certificate that did not verify, with the explanation given to the user. */
const CERT_REASONS: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presented a self-signed certificate that is not in the trusted CAs',
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a CA that is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate was not signed by a trusted CA",
  UNABLE_TO_GET_ISSUER_CERT: "the issuer of the server's certificate is not among the trusted CAs",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the issuer of the server's certificate is not among the trusted CAs",
  CERT_SIGNATURE_FAILURE: "the signature of the server's certificate does not verify",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  CERT_REVOKED: "the server's certificate is revoked",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host (set tls.verifyHostname=false for ovs-pki certificates)",
};

/** TLS alerts by which a server refuses the client's certificate (with TLS 1.3 they arrive after the handshake). */
const CLIENT_CERT_REFUSALS: Readonly<Record<string, string>> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server requires a client certificate',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server refused the handshake (a client certificate may be required)',
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'the server refused the client certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: "the server does not trust the client certificate's CA",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'the server refused the client certificate',
};

function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function describeSocketError(e: unknown, remote: OvsdbRemote): string {
  const code = errorCode(e);
  switch (code) {
    case 'ECONNREFUSED':
      return remote.kind === 'unix' ? 'nobody listens on the socket (connection refused)' : 'connection refused';
    case 'ENOENT':
      return 'the socket file does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'the peer closed the connection';
    default:
      return code ?? (e instanceof Error ? e.message : String(e));
  }
}

/**
 * Turns a socket or TLS error into a DeviceConnectionError whose message says what failed in words, naming the
 * remote, never a key or passphrase. `phase`: while connecting, or on an established session.
 */
export function connectionError(e: unknown, remote: OvsdbRemote, secrets: readonly string[] = [], phase: 'connect' | 'session' = 'connect'): DeviceConnectionError {
  const code = errorCode(e);
  const where = formatRemote(remote);
  const certReason = code !== undefined ? CERT_REASONS[code] : undefined;
  if (certReason !== undefined) {
    return new DeviceConnectionError(`TLS certificate verification of ${where} failed: ${certReason} (${code}); check tls.ca`, {
      cause: e,
      details: { remote: where, code, tls: true },
    });
  }
  const refusal = code !== undefined ? CLIENT_CERT_REFUSALS[code] : undefined;
  if (refusal !== undefined) {
    return new DeviceConnectionError(`TLS session with ${where} failed: ${refusal} (${code}); check tls.cert and tls.key`, {
      cause: e,
      details: { remote: where, code, tls: true },
    });
  }
  if (remote.kind === 'ssl' && code !== undefined && /^ERR_SSL_|^ERR_TLS_/.test(code)) {
    const text = redact(e instanceof Error ? e.message : String(e), secrets);
    return new DeviceConnectionError(`TLS handshake with ${where} failed: ${text} (${code}); check tls.cert, tls.key and tls.ca`, {
      cause: e,
      details: { remote: where, code, tls: true },
    });
  }
  const lead = phase === 'connect' ? `cannot connect to OVSDB at ${where}` : `OVSDB connection to ${where} failed`;
  return new DeviceConnectionError(`${lead}: ${redact(describeSocketError(e, remote), secrets)}`, {
    cause: e,
    details: { remote: where, ...(code !== undefined ? { code } : {}) },
  });
}

function tlsSecrets(options: TransportOptions): string[] {
  const out: string[] = [];
  if (options.tls?.passphrase !== undefined) out.push(options.tls.passphrase);
  if (options.tls?.key !== undefined) out.push(options.tls.key.toString());
  return out;
}

/**
 * Connects to `remote` and resolves with the connected socket (for `ssl:`, once the handshake succeeded and the
 * server's certificate verified).
 *
 * @throws DeviceConnectionError refused, unreachable, no such socket, timed out connecting, TLS verification or
 *   handshake failure (message says which).
 * @throws InputError an `ssl:` remote with TLS material Node cannot load (bad PEM, wrong passphrase).
 */
export function openTransport(remote: OvsdbRemote, options: TransportOptions = {}): Promise<net.Socket> {
  const timeoutMs = options.connectTimeoutMs ?? 10_000;
  const secrets = tlsSecrets(options);
  return new Promise<net.Socket>((resolve, reject) => {
    let socket: net.Socket;
    const readyEvent = remote.kind === 'ssl' ? 'secureConnect' : 'connect';
    try {
      if (remote.kind === 'unix') socket = net.connect({ path: remote.path });
      else if (remote.kind === 'tcp') socket = net.connect({ host: remote.host, port: remote.port });
      else {
        const t = options.tls ?? {};
        const servername = t.servername ?? (net.isIP(remote.host) === 0 ? remote.host : undefined);
        const connectOptions: tls.ConnectionOptions = {
          host: remote.host,
          port: remote.port,
          rejectUnauthorized: t.rejectUnauthorized ?? true,
          ...(servername !== undefined ? { servername } : {}),
          ...(t.ca !== undefined ? { ca: t.ca as string | Buffer | Array<string | Buffer> } : {}),
          ...(t.cert !== undefined ? { cert: t.cert } : {}),
          ...(t.key !== undefined ? { key: t.key } : {}),
          ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
          ...(t.verifyHostname === false ? { checkServerIdentity: () => undefined } : {}),
        };
        socket = tls.connect(connectOptions);
      }
    } catch (e) {
      // Node loads keys and certificates synchronously: a failure here is the caller's TLS material.
      const text = redact(e instanceof Error ? e.message : String(e), secrets);
      reject(InputError.fromProblems(`TLS settings for ${formatRemote(remote)}`, [{ path: 'tls', reason: `cannot be loaded: ${text}` }]));
      return;
    }
    const timer = setTimeout(() => {
      cleanup();
      socket.destroy();
      reject(new DeviceConnectionError(`cannot connect to OVSDB at ${formatRemote(remote)}: no answer within ${timeoutMs} ms`, { details: { remote: formatRemote(remote), timeoutMs } }));
    }, timeoutMs);
    const onReady = (): void => {
      cleanup();
      resolve(socket);
    };
    const onError = (e: Error): void => {
      cleanup();
      socket.destroy();
      reject(connectionError(e, remote, secrets));
    };
    const onClose = (): void => {
      cleanup();
      reject(new DeviceConnectionError(`cannot connect to OVSDB at ${formatRemote(remote)}: the peer closed the connection during setup`, { details: { remote: formatRemote(remote) } }));
    };
    function cleanup(): void {
      clearTimeout(timer);
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      socket.off('close', onClose);
    }
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}
