/**
 * QoS policy: rate limits applied on an endpoint's port on the node's virtual switch (from the pod annotations
 * `netloom.io/ingress-rate` / `netloom.io/egress-rate`).
 * @packageDocumentation
 */
import { Invariant } from './errors';
import { checkInteger, checkName, checkObject, compact, sealModel, violation, type Where } from './validation.helpers';

/** Largest rate or burst value (32-bit, as OVS stores them). */
export const QOS_MAX = 4_294_967_295;

/** A rate limit in one direction. */
export interface QosLimit {
  /** Sustained rate in kbit/s (1000 bit/s units), 1..4294967295. */
  readonly rateKbps: number;
  /** Burst size in kbit, 1..4294967295; absent means the device default. */
  readonly burstKbit?: number;
}

/**
 * A QoS policy. Directions are seen from the endpoint (as Kubernetes' bandwidth annotations do): `ingress` is
 * traffic the endpoint receives, `egress` traffic it sends. At least one direction is limited.
 */
export interface QosPolicy {
  /** Unique policy name (safe name). */
  readonly name: string;
  /** Limit on traffic into the endpoint. */
  readonly ingress?: QosLimit;
  /** Limit on traffic out of the endpoint. */
  readonly egress?: QosLimit;
}

/** Input of {@link createQosPolicy}. */
export interface QosPolicyInput {
  readonly name: string;
  readonly ingress?: QosLimit;
  readonly egress?: QosLimit;
}

/**
 * Validates a QoS policy and returns it frozen.
 * @throws InvariantError `name-invalid`; `value-invalid` (no direction given, a rate or burst that is not a
 *   positive whole number up to 4294967295).
 * @example createQosPolicy({ name: 'gold', egress: { rateKbps: 100_000, burstKbit: 10_000 } })
 */
export function createQosPolicy(input: QosPolicyInput): QosPolicy {
  const raw = checkObject(input, { kind: 'QoS policy' });
  const name = checkName(raw['name'], { kind: 'QoS policy' }, 'name');
  const where: Where = { kind: 'QoS policy', name };
  const limit = (key: 'ingress' | 'egress'): QosLimit | undefined => {
    const l = raw[key];
    if (l === undefined) return undefined;
    const obj = checkObject(l, { kind: `QoS policy "${name}" ${key}` });
    return compact<QosLimit>({
      rateKbps: checkInteger(obj['rateKbps'], where, `${key}.rateKbps`, 1, QOS_MAX),
      burstKbit: obj['burstKbit'] === undefined ? undefined : checkInteger(obj['burstKbit'], where, `${key}.burstKbit`, 1, QOS_MAX),
    });
  };
  const ingress = limit('ingress');
  const egress = limit('egress');
  if (!ingress && !egress) {
    throw violation(Invariant.VALUE_INVALID, where, 'limits nothing: give ingress and/or egress', {});
  }
  return sealModel(compact<QosPolicy>({ name, ingress, egress }));
}
