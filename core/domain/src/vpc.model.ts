/**
 * VPC: the isolation unit. One or more Kubernetes namespaces belong to a VPC (by default one namespace = one VPC;
 * the `default` namespace belongs to the `default` VPC). Pods in one VPC reach each other; different VPCs are
 * isolated until a peering opens them. On the fabric a VPC is one IP-VRF (its LR).
 * @packageDocumentation
 */
import { checkName, checkNameList, checkObject, checkOptionalName, compact, sealModel, type Where } from './validation.helpers';

/** A VPC (virtual private cloud). */
export interface Vpc {
  /** Unique VPC name; reaches devices (VRF names, descriptions), so it is a safe name (`SAFE_NAME`). */
  readonly name: string;
  /**
   * Kubernetes namespaces that belong to this VPC. A namespace belongs to at most one VPC (checked across the
   * network by `checkNetwork`). May be empty (a VPC used only by non-Kubernetes endpoints).
   */
  readonly namespaces: readonly string[];
  /** Names of the subnets of this VPC; each subnet's `vpc` must name this VPC. */
  readonly subnets: readonly string[];
  /** Name of the VPC's distributed logical router (IP-VRF), once it has one. Its `vpc` must name this VPC. */
  readonly logicalRouter?: string;
}

/** Input of {@link createVpc}; omitted lists are empty. */
export interface VpcInput {
  readonly name: string;
  readonly namespaces?: readonly string[];
  readonly subnets?: readonly string[];
  readonly logicalRouter?: string;
}

/**
 * Validates a VPC's own invariants and returns a frozen VPC.
 * @throws InvariantError `name-invalid` (name, a namespace, a subnet or LR name), `duplicate` (a list names one
 *   thing twice), `value-invalid` (not an object / not a list).
 * @example createVpc({ name: 'shop', namespaces: ['shop'], subnets: ['web'], logicalRouter: 'shop-lr' })
 */
export function createVpc(input: VpcInput): Vpc {
  const raw = checkObject(input, { kind: 'VPC' });
  const name = checkName(raw['name'], { kind: 'VPC' }, 'name');
  const where: Where = { kind: 'VPC', name };
  return sealModel(
    compact<Vpc>({
      name,
      namespaces: checkNameList(raw['namespaces'], where, 'namespaces'),
      subnets: checkNameList(raw['subnets'], where, 'subnets'),
      logicalRouter: checkOptionalName(raw['logicalRouter'], where, 'logicalRouter'),
    }),
  );
}
