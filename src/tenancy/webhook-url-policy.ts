import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

// Where a webhook may be sent (SPEC §9 "webhooks cannot be turned on ourselves"): an http(s)
// URL without user info, never to an unspecified, link-local or cloud-metadata address, nor
// to this service's own listening address and port; loopback and private networks only when
// SUBLEDGER_WEBHOOK_PRIVATE is not `deny`. Checked when an endpoint is registered, and again
// before every delivery on the addresses its host resolves to then: the delivery connects to
// the very address that was checked (a DNS answer that changes in between changes nothing).

/** No endpoint ever: "this host", link-local (cloud metadata lives at 169.254.169.254), metadata services, broadcast and multicast. IPv4-mapped forms match too (BlockList maps them). */
const NEVER = new BlockList();
NEVER.addSubnet('0.0.0.0', 8, 'ipv4');
NEVER.addSubnet('169.254.0.0', 16, 'ipv4');
NEVER.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud's metadata service
NEVER.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud's metadata service
NEVER.addSubnet('224.0.0.0', 4, 'ipv4');
NEVER.addAddress('255.255.255.255', 'ipv4');
NEVER.addAddress('::', 'ipv6');
NEVER.addSubnet('fe80::', 10, 'ipv6');
NEVER.addAddress('fd00:ec2::254', 'ipv6'); // AWS's IPv6 metadata service
NEVER.addSubnet('ff00::', 8, 'ipv6');
// NAT64 forms (64:ff9b::/96) of the IPv4 ranges above.
NEVER.addSubnet('64:ff9b::', 104, 'ipv6');
NEVER.addSubnet('64:ff9b::a9fe:0', 112, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Loopback and private networks: refused only with SUBLEDGER_WEBHOOK_PRIVATE=deny. */
const PRIVATE = new BlockList();
PRIVATE.addSubnet('127.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('10.0.0.0', 8, 'ipv4');
PRIVATE.addSubnet('172.16.0.0', 12, 'ipv4');
PRIVATE.addSubnet('192.168.0.0', 16, 'ipv4');
PRIVATE.addSubnet('100.64.0.0', 10, 'ipv4');
PRIVATE.addAddress('::1', 'ipv6');
PRIVATE.addSubnet('fc00::', 7, 'ipv6');
PRIVATE.addSubnet('64:ff9b::7f00:0', 104, 'ipv6');
PRIVATE.addSubnet('64:ff9b::a00:0', 104, 'ipv6');
PRIVATE.addSubnet('64:ff9b::ac10:0', 108, 'ipv6');
PRIVATE.addSubnet('64:ff9b::c0a8:0', 112, 'ipv6');

/** A refusal, in words fit for a 400 and for a delivery's recorded error (never the URL itself: it may carry credentials). */
export class WebhookUrlRefused extends Error {}

/** Where this process listens (node's server.address()); null before it listens. */
export type ListeningAddress = { address: string; port: number } | null;

const familyOf = (address: string): 'ipv4' | 'ipv6' => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
const unbracketed = (hostname: string) => (hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname);
const isUnspecified = (address: string) => address === '0.0.0.0' || address === '::';

/** The URL, when it is an absolute http(s) URL without user info. @throws WebhookUrlRefused */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlRefused('must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WebhookUrlRefused('must be an absolute http:// or https:// URL');
  if (url.username !== '' || url.password !== '') throw new WebhookUrlRefused('must not carry user info (user:password@): authenticate deliveries by their signature');
  return url;
}

export interface ResolvedTarget {
  /** The one address a delivery connects to: checked, and not looked up again. */
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to (node's dns.lookup; a test may answer differently each time, as a rebinding DNS server would). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

const lookupAll: HostLookup = (hostname) => lookup(hostname, { all: true, verbatim: true });

export class WebhookUrlPolicy {
  private listening: () => ListeningAddress = () => null;

  constructor(
    private readonly privateNetworks: 'allow' | 'deny',
    private readonly configured: { host: string; port: number },
    private readonly lookupHost: HostLookup = lookupAll,
  ) {}

  /** Tells the policy where this process listens once it does (PORT=0 picks the port then). */
  listeningOn(address: () => ListeningAddress): void {
    this.listening = address;
  }

  /**
   * When an endpoint is registered: the URL's form, its address if it is one, and every address
   * its host resolves to now. A name that does not resolve yet is accepted: each delivery checks it again.
   * @throws WebhookUrlRefused
   */
  async checkRegistration(text: string): Promise<void> {
    const url = parseWebhookUrl(text);
    const host = unbracketed(url.hostname);
    if (isIP(host)) return this.checkAddress(host, portOf(url));
    const addresses = await this.lookupHost(host).catch(() => []);
    for (const { address } of addresses) this.checkAddress(address, portOf(url));
  }

  /**
   * Before a delivery: the URL's form, then its host resolved once; every address it resolves
   * to must be allowed, and the delivery connects to the first of them.
   * @throws WebhookUrlRefused, or the lookup's own error when the name does not resolve
   */
  async resolveForDelivery(text: string): Promise<{ url: URL; target: ResolvedTarget }> {
    const url = parseWebhookUrl(text);
    const host = unbracketed(url.hostname);
    const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.lookupHost(host);
    if (addresses.length === 0) throw new WebhookUrlRefused('its host resolves to no address');
    for (const { address } of addresses) this.checkAddress(address, portOf(url));
    const [first] = addresses;
    return { url, target: { address: first!.address, family: first!.family === 6 ? 6 : 4 } };
  }

  /** @throws WebhookUrlRefused */
  checkAddress(address: string, port: number): void {
    const family = familyOf(address);
    if (NEVER.check(address, family)) throw new WebhookUrlRefused('must not point at an unspecified, link-local, multicast or cloud-metadata address');
    if (this.isOwnListener(address, port)) throw new WebhookUrlRefused("must not point at this service's own listening address and port");
    if (this.privateNetworks === 'deny' && PRIVATE.check(address, family)) {
      throw new WebhookUrlRefused('must not point at a loopback or private network address (SUBLEDGER_WEBHOOK_PRIVATE=deny)');
    }
  }

  private isOwnListener(address: string, port: number): boolean {
    const own = this.listening() ?? { address: this.configured.host, port: this.configured.port };
    if (own.port === 0 || port !== own.port) return false;
    const ownHost = own.address;
    const family = familyOf(address);
    if (LOOPBACK.check(address, family)) return true;
    if (sameAddress(address, ownHost)) return true;
    // Listening on every interface: any address of this machine is ours.
    return isUnspecified(ownHost) && localAddresses().some((local) => sameAddress(address, local));
  }
}

/** The URL's port, or its scheme's default. */
function portOf(url: URL): number {
  return url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Equal addresses, an IPv4-mapped IPv6 form included. */
function sameAddress(a: string, b: string): boolean {
  if (a === b) return true;
  const list = new BlockList();
  if (!isIP(b)) return false;
  list.addAddress(b, familyOf(b));
  return list.check(a, familyOf(a));
}

function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}
