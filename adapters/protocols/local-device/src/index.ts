/**
 * `@netloom/local-device` — shared pieces of the adapters that drive a Linux device from the machine netloom runs on
 * (`@netloom/adapter-nftables`, `@netloom/adapter-linux-router`): the device lock file ({@link DeviceLock}), the
 * emulated transaction core ({@link EmulatedTransactions}) and shared option codecs ({@link NetnsNameCodec}).
 *
 * @example
 * import { DeviceLock, EmulatedTransactions } from '@netloom/local-device';
 * const lock = new DeviceLock({ kind: 'nftables', identity, device: 'vfw1' });
 * const txs = new EmulatedTransactions({ device: 'vfw1', port: 'firewall', session: 1, lock, logger, restore, closeRunner });
 *
 * @packageDocumentation
 */
export { DeviceLock, deviceLockFile, type DeviceLockOptions } from './device-lock';
export { EmulatedTransactions, type ApplyHooks, type EmulatedTransactionsOptions, type PendingTransaction } from './transactions';
export { assertPlannedOperations, changesOnto, type StalePlanWording } from './stale-plan';
export { commandText } from './argv';
export {
  LINUX_IFNAME,
  LinuxIfNameCodec,
  NETNS_NAME,
  NetnsNameCodec,
  OVSDB_REMOTE,
  OvsLegsCodec,
  OvsdbRemoteCodec,
  type LinuxIfName,
  type LinuxIfNameBrand,
  type NetnsName,
  type NetnsNameBrand,
  type OvsLegs,
  type OvsdbRemote,
  type OvsdbRemoteBrand,
} from './options';
