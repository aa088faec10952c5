/**
 * io-ts codecs for every iControl REST reply the adapter reads, and the request bodies it sends, tied to the types
 * generated from `openapi/icontrol-rest.subset.yaml` (`src/generated/icontrol-rest.ts`): each reply codec's decoded
 * type must fit the generated schema ({@link Fits} fails to compile otherwise), and request bodies are typed with the
 * generated schemas directly. Replies may carry more fields than listed (the device sends many); the codecs ignore
 * them.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import type { components } from './generated/icontrol-rest';

/** The generated OpenAPI schemas. */
export type Schemas = components['schemas'];

/** Compiles only when `A` (a codec's decoded type) is assignable to `B` (the generated schema). */
export type Fits<A extends B, B> = A;

const collectionOf = <C extends t.Mixed>(item: C, name: string) => t.partial({ kind: t.string, items: t.array(item) }, name);

/** An error body: TMOS (`apiError`) or REST framework (`kind: ":resterrorresponse"`). */
export const ErrorBodyCodec = t.intersection(
  [t.type({ code: t.number, message: t.string }), t.partial({ errorStack: t.array(t.string), apiError: t.number, kind: t.string, restOperationId: t.number })],
  'ErrorResponse',
);
/** An error body. */
export type F5ErrorBody = Fits<t.TypeOf<typeof ErrorBodyCodec>, Schemas['ErrorResponse']>;

/** The token of a login reply. */
export const TokenCodec = t.intersection([t.type({ token: t.string, timeout: t.number }), t.partial({ name: t.string, userName: t.string, startTime: t.string, expirationMicros: t.number })], 'Token');

/** `POST /mgmt/shared/authn/login` reply. */
export const LoginResponseCodec = t.intersection([t.type({ token: TokenCodec }), t.partial({ username: t.string })], 'LoginResponse');
/** A login reply. */
export type F5LoginResponse = Fits<t.TypeOf<typeof LoginResponseCodec>, Schemas['LoginResponse']>;

/** `GET /mgmt/tm/sys/version` reply. */
export const VersionStatsCodec = t.intersection(
  [t.type({ entries: t.record(t.string, t.type({ nestedStats: t.type({ entries: t.record(t.string, t.type({ description: t.string })) }) })) }), t.partial({ kind: t.string })],
  'VersionStats',
);
/** The version statistics. */
export type F5VersionStats = Fits<t.TypeOf<typeof VersionStatsCodec>, Schemas['VersionStats']>;

/** A folder. */
export const FolderCodec = t.intersection([t.type({ name: t.string, fullPath: t.string }), t.partial({ kind: t.string, subPath: t.string, generation: t.number, description: t.string })], 'Folder');
/** A folder. */
export type F5Folder = Fits<t.TypeOf<typeof FolderCodec>, Schemas['Folder']>;
/** `GET /mgmt/tm/sys/folder` reply. */
export const FolderCollectionCodec = collectionOf(FolderCodec, 'FolderCollection');
/** The folders. */
export type F5FolderCollection = Fits<t.TypeOf<typeof FolderCollectionCodec>, Schemas['FolderCollection']>;

/** A monitor of any type. */
export const MonitorCodec = t.intersection(
  [
    t.type({ name: t.string, partition: t.string, interval: t.number, timeout: t.number }),
    t.partial({ kind: t.string, fullPath: t.string, generation: t.number, description: t.string, defaultsFrom: t.string, send: t.string, recv: t.string }),
  ],
  'Monitor',
);
/** A monitor. */
export type F5Monitor = Fits<t.TypeOf<typeof MonitorCodec>, Schemas['Monitor']>;
/** `GET /mgmt/tm/ltm/monitor/<type>` reply. */
export const MonitorCollectionCodec = collectionOf(MonitorCodec, 'MonitorCollection');
/** The monitors of one type. */
export type F5MonitorCollection = Fits<t.TypeOf<typeof MonitorCollectionCodec>, Schemas['MonitorCollection']>;

/** A pool member. */
export const MemberCodec = t.intersection(
  [
    t.type({ name: t.string, address: t.string }),
    t.partial({
      kind: t.string,
      partition: t.string,
      fullPath: t.string,
      generation: t.number,
      description: t.string,
      ratio: t.number,
      session: t.keyof({ 'user-enabled': null, 'user-disabled': null, 'monitor-enabled': null }),
      state: t.string,
    }),
  ],
  'Member',
);
/** A pool member. */
export type F5Member = Fits<t.TypeOf<typeof MemberCodec>, Schemas['Member']>;

/** A pool (with `membersReference.items` when read with `expandSubcollections=true`). */
export const PoolCodec = t.intersection(
  [
    t.type({ name: t.string, partition: t.string }),
    t.partial({
      kind: t.string,
      fullPath: t.string,
      generation: t.number,
      description: t.string,
      loadBalancingMode: t.string,
      monitor: t.string,
      membersReference: t.partial({ link: t.string, isSubcollection: t.boolean, items: t.array(MemberCodec) }),
    }),
  ],
  'Pool',
);
/** A pool. */
export type F5Pool = Fits<t.TypeOf<typeof PoolCodec>, Schemas['Pool']>;
/** `GET /mgmt/tm/ltm/pool` reply. */
export const PoolCollectionCodec = collectionOf(PoolCodec, 'PoolCollection');
/** The pools. */
export type F5PoolCollection = Fits<t.TypeOf<typeof PoolCollectionCodec>, Schemas['PoolCollection']>;

/** A node. */
export const NodeCodec = t.intersection([t.type({ name: t.string, partition: t.string, address: t.string }), t.partial({ kind: t.string, fullPath: t.string, description: t.string })], 'Node');
/** A node. */
export type F5Node = Fits<t.TypeOf<typeof NodeCodec>, Schemas['Node']>;
/** `GET /mgmt/tm/ltm/node` reply. */
export const NodeCollectionCodec = collectionOf(NodeCodec, 'NodeCollection');
/** The nodes. */
export type F5NodeCollection = Fits<t.TypeOf<typeof NodeCollectionCodec>, Schemas['NodeCollection']>;

/** A virtual server. */
export const VirtualCodec = t.intersection(
  [
    t.type({ name: t.string, partition: t.string, destination: t.string }),
    t.partial({
      kind: t.string,
      fullPath: t.string,
      generation: t.number,
      description: t.string,
      mask: t.string,
      ipProtocol: t.string,
      pool: t.string,
      sourceAddressTranslation: t.type({ type: t.string }),
    }),
  ],
  'Virtual',
);
/** A virtual server. */
export type F5Virtual = Fits<t.TypeOf<typeof VirtualCodec>, Schemas['Virtual']>;
/** `GET /mgmt/tm/ltm/virtual` reply. */
export const VirtualCollectionCodec = collectionOf(VirtualCodec, 'VirtualCollection');
/** The virtual servers. */
export type F5VirtualCollection = Fits<t.TypeOf<typeof VirtualCollectionCodec>, Schemas['VirtualCollection']>;

/** An internal data group (netloom's writer lock). */
export const DataGroupCodec = t.intersection(
  [t.type({ name: t.string, partition: t.string }), t.partial({ kind: t.string, type: t.string, description: t.string, records: t.array(t.intersection([t.type({ name: t.string }), t.partial({ data: t.string })])) })],
  'DataGroup',
);
/** A data group. */
export type F5DataGroup = Fits<t.TypeOf<typeof DataGroupCodec>, Schemas['DataGroup']>;

/** A transaction (`POST /mgmt/tm/transaction`, and the commit reply). */
export const TransactionCodec = t.intersection([t.type({ transId: t.number, state: t.string }), t.partial({ timeoutSeconds: t.number, failureReason: t.string, kind: t.string })], 'Transaction');
/** A transaction. */
export type F5Transaction = Fits<t.TypeOf<typeof TransactionCodec>, Schemas['Transaction']>;

/** The reply to a request queued into a transaction: the queued command (an object; its fields are not used). */
export const QueuedCommandCodec = t.UnknownRecord;

/** Every request body the adapter sends (typed by the generated schemas). */
export type F5RequestBody =
  | Schemas['FolderCreate']
  | Schemas['FolderUpdate']
  | Schemas['MonitorCreate']
  | Schemas['MonitorUpdate']
  | Schemas['PoolCreate']
  | Schemas['PoolUpdate']
  | Schemas['MemberCreate']
  | Schemas['MemberUpdate']
  | Schemas['NodeCreate']
  | Schemas['VirtualCreate']
  | Schemas['VirtualUpdate']
  | Schemas['DataGroupCreate'];

/** One write the adapter sends: inside a transaction, or out of band by the conformance harness. */
export interface F5Operation {
  readonly method: 'POST' | 'PATCH' | 'DELETE';
  /** URL path: `/mgmt/tm/ltm/pool/~shop~web`. */
  readonly path: string;
  readonly body?: F5RequestBody;
}

/** A monitor type as the URL names it. */
export type F5MonitorTypeName = Schemas['MonitorType'];

/** The monitor collections the adapter reads (one per monitor type of the vocabulary). */
export const MONITOR_TYPES: readonly F5MonitorTypeName[] = ['tcp', 'http', 'https', 'gateway-icmp'];

/** The collections observe reads, in order: what {@link DeviceReads} holds. */
export const READ_URIS = {
  folders: '/mgmt/tm/sys/folder',
  monitors: MONITOR_TYPES.map((type) => ({ type, uri: `/mgmt/tm/ltm/monitor/${type}` })),
  pools: '/mgmt/tm/ltm/pool?expandSubcollections=true',
  nodes: '/mgmt/tm/ltm/node',
  virtuals: '/mgmt/tm/ltm/virtual',
} as const;

/** The raw replies of every collection in {@link READ_URIS}, by URI (undecoded). */
export type DeviceReads = Readonly<Record<string, unknown>>;
