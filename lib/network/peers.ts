// The checks of a network peer given in props: pods by namespace and labels, and address ranges.
import { IConstruct } from 'constructs';
import { MicroserviceConfigError, show } from '../errors';
import { checkDnsLabel, checkKnownProps, checkLabels, formatCidr, parseCidr } from '../props/checks';
import { PODS_PEER_PROPS, PodsPeer } from './network-policy';

type Scope = IConstruct | string;

/** A PodsPeer: known props, a namespace, labels and CIDRs. */
export function checkPeer(scope: Scope, prop: string, peer: PodsPeer | undefined): void {
  checkKnownProps(scope, peer, PODS_PEER_PROPS, `${prop}.`);
  if (peer?.namespace !== undefined) checkDnsLabel(scope, `${prop}.namespace`, peer.namespace, 'ingress-nginx');
  checkLabels(scope, `${prop}.podLabels`, peer?.podLabels);
  checkCidrs(scope, `${prop}.cidrs`, peer?.cidrs);
}

/**
 * A non-empty list of distinct IPv4 or IPv6 CIDRs, each parsed as the API server parses a
 * NetworkPolicy's `ipBlock.cidr`, and canonical: a CIDR with host bits set (`10.1.2.3/8`) is
 * accepted by the API server but read differently by network plugins (as the range, as the one
 * address, or ignored: kubernetes/kubernetes#94484), so it is refused with both readings.
 */
export function checkCidrs(scope: Scope, prop: string, cidrs: unknown): void {
  if (cidrs === undefined) return;
  if (!Array.isArray(cidrs) || cidrs.length === 0) {
    throw new MicroserviceConfigError(scope, `'${prop}' must be a non-empty list of CIDRs, got ${show(cidrs)}: for example ['35.191.0.0/16', '130.211.0.0/22']`);
  }
  const seen = new Map<string, number>();
  cidrs.forEach((value, i) => {
    const at = `${prop}[${i}]`;
    const c = parseCidr(value);
    if (!c) {
      const family = typeof value === 'string' ? parseCidr(`${value}/0`)?.family : undefined;
      const bare = family === undefined ? undefined : family === 4 ? '/32' : '/128';
      const fix = bare ? `add the prefix length, '${value}${bare}' for the one address` : "an address, '/' and a prefix length, for example '169.254.20.10/32' or 'fd00::/8' (no IPv6 zone, no leading zeros in IPv4 octets)";
      throw new MicroserviceConfigError(scope, `'${at}' ${show(value)} is not an IPv4 or IPv6 CIDR: ${fix}`);
    }
    if (c.address !== c.network) {
      const range = formatCidr(c, c.network);
      const one = formatCidr({ family: c.family, prefix: c.family === 4 ? 32 : 128 }, c.address);
      throw new MicroserviceConfigError(scope, `'${at}' ${show(value)} has host bits set, which network plugins read differently (the range, the one address, or not at all): write '${range}' for the range or '${one}' for the address`);
    }
    const key = `${c.family}/${c.network}/${c.prefix}`;
    const other = seen.get(key);
    if (other !== undefined) throw new MicroserviceConfigError(scope, `'${at}' ${show(value)} is the range of '${prop}[${other}]' again: list each range once`);
    seen.set(key, i);
  });
}
