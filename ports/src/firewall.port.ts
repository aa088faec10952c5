/** STUB — to be replaced by the full Firewall port vocabulary. */
import type { DeviceConfig, DeviceDriver } from './device.port';
export type FirewallConfig = DeviceConfig;
export type FirewallDriver = DeviceDriver<FirewallConfig>;
