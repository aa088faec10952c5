/** STUB — to be replaced by the full kubernetes port. */
export interface KubernetesPort { close(): Promise<void> }
export interface KubernetesFactoryOptions { readonly options: unknown }
