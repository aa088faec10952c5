/**
 * Option codecs shared by the local Linux adapters (strict io-ts codecs with a reason per refusal).
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { describeValue, refined } from '@netloom/ports';

/** Brand of {@link NetnsName}. */
export interface NetnsNameBrand {
  readonly NetnsName: unique symbol;
}
/** A network namespace name as `ip netns` knows it: 1-64 of `[A-Za-z0-9._-]`, first alnum. */
export type NetnsName = t.Branded<string, NetnsNameBrand>;
/** The pattern of {@link NetnsName}. */
export const NETNS_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** io-ts codec for {@link NetnsName}. @example NetnsNameCodec.decode('vfw1') */
export const NetnsNameCodec = refined<string, string, NetnsNameBrand>('NetnsName', t.string, (s) =>
  NETNS_NAME.test(s) ? undefined : `${describeValue(s)} is not a network namespace name: use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
);
