import ipaddr from 'ipaddr.js';

/** The `code` of every refusal, so callers can tell it from a network failure. */
export const OUTBOUND_REFUSED = 'E_OUTBOUND_REFUSED';

/** A request the outbound guard did not let out; the message names the host and why, never a URL (its query may hold a key). */
export class OutboundRefusedError extends Error {
  readonly code = OUTBOUND_REFUSED;
  override readonly name = 'OutboundRefusedError';
}

/**
 * Instance-metadata services hand out cloud credentials to whoever asks from the machine:
 * never reachable, whatever OUTBOUND_ALLOW_HOSTS says (AWS/GCP/Azure/OpenStack, AWS ECS task
 * metadata, AWS IPv6, Alibaba, Oracle).
 */
const METADATA_ADDRESSES = new Set(
  ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', '100.100.100.200', '192.0.0.192'].map(normalize),
);

/** Host names and addresses the operator opened (`OUTBOUND_ALLOW_HOSTS`), lower-cased, addresses normalised. */
let allowed = parseAllowHosts(process.env.OUTBOUND_ALLOW_HOSTS);

/** `a.example,127.0.0.1,[::1]` → the set the guard matches host names and connected addresses against. */
export function parseAllowHosts(value: string | undefined): Set<string> {
  const hosts = (value ?? '')
    .split(',')
    .map((h) =>
      h
        .trim()
        .toLowerCase()
        .replace(/^\[(.*)\]$/, '$1'),
    )
    .filter((h) => h !== '');
  return new Set(hosts.map((h) => (ipaddr.isValid(h) ? normalize(h) : h)));
}

/** Sets the allowlist for this process (the composition root passes OUTBOUND_ALLOW_HOSTS; tests switch it). */
export function setOutboundAllowHosts(value: string | undefined): void {
  allowed = parseAllowHosts(value);
}

/**
 * Why connecting to `address` (reached through the name `host`) is refused, or undefined when
 * it may go. Only globally routable unicast passes: loopback, private, link-local, unique-local,
 * multicast, unspecified, broadcast, carrier-grade NAT, reserved and v4-embedding v6 ranges do
 * not, unless the host or the address is allowlisted; metadata addresses never.
 */
export function refusalFor(host: string, address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const canonical = ip.toNormalizedString();
  if (METADATA_ADDRESSES.has(canonical)) return `${address} is a cloud metadata address, never reachable`;
  if (allowed.has(bareHost(host)) || allowed.has(canonical)) return undefined;
  const range = ip.range();
  if (range === 'unicast') return undefined;
  return `${address} is a ${range} address (OUTBOUND_ALLOW_HOSTS can open it)`;
}

/**
 * For a host that is an IP literal (no lookup happens for those) or a `localhost` name (RFC
 * 6761: always loopback), the refusal; undefined for other names, checked when resolved.
 */
export function literalRefusal(host: string): string | undefined {
  const bare = bareHost(host);
  if ((bare === 'localhost' || bare.endsWith('.localhost')) && !allowed.has(bare))
    return `${bare} is a loopback name (OUTBOUND_ALLOW_HOSTS can open it)`;
  return ipaddr.isValid(bare) ? refusalFor(bare, bare) : undefined;
}

function bareHost(host: string): string {
  const h = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return ipaddr.isValid(h) ? normalize(h) : h;
}

function normalize(address: string): string {
  const ip = ipaddr.parse(address);
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address().toNormalizedString()
    : ip.toNormalizedString();
}
