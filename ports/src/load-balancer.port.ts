/** STUB — to be replaced by the full LoadBalancer port vocabulary. */
import type { DeviceConfig, DeviceDriver } from './device.port';
export type LoadBalancerConfig = DeviceConfig;
export type LoadBalancerDriver = DeviceDriver<LoadBalancerConfig>;
