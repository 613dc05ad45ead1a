import { BlockList, isIP } from 'node:net';

// SUBLEDGER_TRUST_PROXY: the reverse proxies whose X-Forwarded-For, -Proto and -Host are
// believed (SPEC §9). A comma-separated list of IP addresses and CIDR ranges, e.g.
// `127.0.0.1,10.0.0.0/8,fd00::/8`. Unset: no proxy is trusted, and the client address is the
// socket's peer. A request whose peer is not in the list gets no say in any of those headers.

/** An IPv4 address as node may report it on a dual-stack socket (`::ffff:10.0.0.1`), plainly. */
export function plainAddress(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}

/** Why an entry of SUBLEDGER_TRUST_PROXY is not an address or CIDR range; undefined when it is. */
function entryProblem(entry: string): string | undefined {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return `'${entry.slice(0, 60)}' is not an IP address or CIDR range`;
  if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) return `'${entry.slice(0, 60)}' has a prefix length out of range`;
  return undefined;
}

/** The entries of a SUBLEDGER_TRUST_PROXY value. @returns the entries, or the problem with the first bad one */
export function parseTrustedProxies(value: string): { entries: string[] } | { problem: string } {
  const entries = value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
  for (const entry of entries) {
    const problem = entryProblem(entry);
    if (problem) return { problem: `SUBLEDGER_TRUST_PROXY: ${problem} (a comma-separated list such as 127.0.0.1,10.0.0.0/8)` };
  }
  return { entries };
}

/** Whether a socket peer is one of the trusted proxies. */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly any: boolean;

  /** `entries`: checked addresses and CIDR ranges (parseTrustedProxies). */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
    this.any = entries.length > 0;
  }

  trusts(address: string | undefined): boolean {
    if (!this.any || address === undefined) return false;
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}
