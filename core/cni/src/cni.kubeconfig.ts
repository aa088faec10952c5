/**
 * Where the Kubernetes API is and how to authenticate, without a Kubernetes client library: a kubeconfig in JSON
 * (`kubectl config view --raw --flatten -o json` writes one; JSON is valid YAML, so kubectl reads it too), or the
 * in-cluster service account.
 *
 * Supported from a kubeconfig: the current context's cluster (`server`, `certificate-authority`,
 * `certificate-authority-data`, `insecure-skip-tls-verify`) and user (`token`, `tokenFile`, `client-certificate`,
 * `client-certificate-data`, `client-key`, `client-key-data`). Relative file paths are relative to the kubeconfig's
 * directory, as kubectl reads them. `exec` and `auth-provider` users are not supported (a node agent has no browser
 * and no cloud CLI).
 *
 * @packageDocumentation
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as t from 'io-ts';
import { decodeProblems, struct } from '@netloom/ports';
import { CniError, CniErrorCode } from './cni.spec';

/** How to reach the API server. Holds secrets: never log it. */
export interface KubeConnection {
  /** `https://10.96.0.1:443` */
  readonly server: URL;
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly token?: string;
  readonly insecureSkipTlsVerify: boolean;
  /** Where the settings came from (a path or `in-cluster`), for messages. */
  readonly source: string;
}

const strip = { unknownFields: 'strip' } as const;

const ClusterCodec = struct(
  'cluster',
  { server: t.string },
  { 'certificate-authority': t.string, 'certificate-authority-data': t.string, 'insecure-skip-tls-verify': t.boolean },
  strip,
);
const UserCodec = struct(
  'user',
  {},
  {
    token: t.string,
    tokenFile: t.string,
    'client-certificate': t.string,
    'client-certificate-data': t.string,
    'client-key': t.string,
    'client-key-data': t.string,
    exec: t.unknown,
    'auth-provider': t.unknown,
  },
  strip,
);
const ContextCodec = struct('context', { cluster: t.string, user: t.string }, { namespace: t.string }, strip);
const NamedClusterCodec = struct('named cluster', { name: t.string, cluster: ClusterCodec }, {}, strip);
const NamedUserCodec = struct('named user', { name: t.string, user: UserCodec }, {}, strip);
const NamedContextCodec = struct('named context', { name: t.string, context: ContextCodec }, {}, strip);

/** The part of a kubeconfig netloom-cni reads. */
export const KubeconfigCodec = struct(
  'kubeconfig',
  {
    clusters: t.readonlyArray(NamedClusterCodec),
    contexts: t.readonlyArray(NamedContextCodec),
    'current-context': t.string,
  },
  { users: t.readonlyArray(NamedUserCodec) },
  strip,
);

function configError(source: string, reason: string, cause?: unknown): CniError {
  return new CniError(CniErrorCode.invalidConfig, `kubeconfig ${source}: ${reason}`, undefined, cause === undefined ? {} : { cause });
}

function readFile(file: string, what: string, source: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw configError(source, `cannot read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, e);
  }
}

/**
 * Reads a kubeconfig in JSON and resolves its current context.
 *
 * @throws CniError code 7 naming the file and what is wrong (not JSON, a missing context, cluster or user, an
 *   unreadable certificate file, an `exec` user). Never contains the token or key material.
 * @example loadKubeconfig('/etc/cni/net.d/netloom-kubeconfig.json').server.href // 'https://10.0.0.1:6443/'
 */
export function loadKubeconfig(file: string): KubeConnection {
  const text = readFile(file, 'kubeconfig', file).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw configError(file, 'is not JSON; write it with `kubectl config view --raw --flatten -o json` (netloom-cni reads no YAML)', e);
  }
  const r = decodeProblems(KubeconfigCodec, raw);
  if (r.value === undefined) throw configError(file, r.problems.map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.reason}`).join('; '));
  const kc = r.value;
  const ctx = kc.contexts.find((c) => c.name === kc['current-context']);
  if (ctx === undefined) throw configError(file, `current-context ${JSON.stringify(kc['current-context'])} is not among its contexts`);
  const context = ctx.context;
  const named = kc.clusters.find((c) => c.name === context.cluster);
  if (named === undefined) throw configError(file, `cluster ${JSON.stringify(context.cluster)} of context ${JSON.stringify(ctx.name)} is not among its clusters`);
  const cluster = named.cluster;
  const namedUser = (kc.users ?? []).find((u) => u.name === context.user);
  if (namedUser === undefined) throw configError(file, `user ${JSON.stringify(context.user)} of context ${JSON.stringify(ctx.name)} is not among its users`);
  const user = namedUser.user;
  if (user.exec !== undefined || user['auth-provider'] !== undefined) throw configError(file, `user ${JSON.stringify(context.user)} uses exec or auth-provider credentials, which netloom-cni does not run; give a token or a client certificate`);

  const dir = path.dirname(file);
  const resolve = (p: string): string => (path.isAbsolute(p) ? p : path.join(dir, p));
  const b64 = (s: string, what: string): Buffer => {
    const buf = Buffer.from(s, 'base64');
    if (buf.length === 0) throw configError(file, `${what} is not base64`);
    return buf;
  };
  let server: URL;
  try {
    server = new URL(cluster.server);
  } catch (e) {
    throw configError(file, `server ${JSON.stringify(cluster.server)} is not a URL`, e);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') throw configError(file, `server ${JSON.stringify(cluster.server)} is not http(s)`);
  const ca = cluster['certificate-authority-data'] !== undefined ? b64(cluster['certificate-authority-data'], 'certificate-authority-data') : cluster['certificate-authority'] !== undefined ? readFile(resolve(cluster['certificate-authority']), 'certificate authority', file) : undefined;
  const cert = user['client-certificate-data'] !== undefined ? b64(user['client-certificate-data'], 'client-certificate-data') : user['client-certificate'] !== undefined ? readFile(resolve(user['client-certificate']), 'client certificate', file) : undefined;
  const key = user['client-key-data'] !== undefined ? b64(user['client-key-data'], 'client-key-data') : user['client-key'] !== undefined ? readFile(resolve(user['client-key']), 'client key', file) : undefined;
  const token = user.token ?? (user.tokenFile !== undefined ? readFile(resolve(user.tokenFile), 'token file', file).toString('utf8').trim() : undefined);
  return {
    server,
    ...(ca !== undefined ? { ca } : {}),
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(token !== undefined && token !== '' ? { token } : {}),
    insecureSkipTlsVerify: cluster['insecure-skip-tls-verify'] === true,
    source: file,
  };
}

/** The standard paths of a pod's service account. */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The in-cluster connection: `KUBERNETES_SERVICE_HOST` / `KUBERNETES_SERVICE_PORT` and the service account's token
 * and CA at the standard paths (what a plugin run from a pod, or with those files mounted on the node, sees).
 *
 * @throws CniError code 7 when the variables or the files are missing (the message says to set `kubeconfig`).
 */
export function inClusterConnection(env: NodeJS.ProcessEnv = process.env, dir: string = SERVICE_ACCOUNT_DIR): KubeConnection {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  const hint = 'set "kubeconfig" in the network configuration to a JSON kubeconfig netloom-cni may read';
  if (host === undefined || host === '') throw new CniError(CniErrorCode.invalidConfig, `no Kubernetes API configured: KUBERNETES_SERVICE_HOST is not set; ${hint}`);
  const tokenFile = path.join(dir, 'token');
  const caFile = path.join(dir, 'ca.crt');
  let token: string;
  let ca: Buffer;
  try {
    token = fs.readFileSync(tokenFile, 'utf8').trim();
    ca = fs.readFileSync(caFile);
  } catch (e) {
    throw new CniError(CniErrorCode.invalidConfig, `no Kubernetes API configured: cannot read the service account at ${dir} (${(e as NodeJS.ErrnoException).code ?? 'error'}); ${hint}`, undefined, { cause: e });
  }
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return { server: new URL(`https://${hostPart}:${port}`), ca, token, insecureSkipTlsVerify: false, source: 'in-cluster' };
}
