/** STUB — to be replaced by the full discovery port. */
export interface DiscoveryPort { close(): Promise<void> }
