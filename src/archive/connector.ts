import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import { isBlockedAddress, unbracket, type AllowedHosts } from './address.js';
import { ArchiveError } from './errors.js';

/** Resolves a host name to its addresses (the system resolver by default). */
export type ResolveHost = (hostname: string) => Promise<readonly { address: string }[]>;

/** undici's low-level connector: opens the socket to `options.hostname`, an address by then. */
export type Connector = buildConnector.connector;

export interface GuardedConnectorOptions {
  allowedHosts: AllowedHosts;
  /** @default the system resolver (`dns.lookup`, all addresses) */
  resolve?: ResolveHost | undefined;
  /** Opens the socket to the address that passed the guard. @default undici's connector */
  connect?: Connector | undefined;
  /** Connect timeout in ms (for the default connector). @default 10000 */
  timeoutMs?: number | undefined;
}

const systemResolve: ResolveHost = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * The download guard at connect time: resolves the host itself and connects to the address it
 * checked, so a DNS name that resolves to a private address (or re-resolves to one between a
 * check and the connection) is refused. Hosts in the allow-list skip the address rule.
 * A name with any blocked address is refused whole: a mixed answer is a warning sign.
 */
export function createGuardedConnector({ allowedHosts, resolve = systemResolve, connect, timeoutMs = 10_000 }: GuardedConnectorOptions): Connector {
  const open = connect ?? buildConnector({ timeout: timeoutMs });
  return (options, callback) => {
    const host = unbracket(options.hostname);
    const port = Number(options.port) || (options.protocol === 'https:' ? 443 : 80);
    const allowed = allowedHosts.has(host, port);
    const addresses = isIP(host) ? Promise.resolve([{ address: host }]) : resolve(host);
    addresses.then(
      (found) => {
        const first = found[0]?.address;
        if (first === undefined) return callback(new ArchiveError('network', `The video host ${host} has no address.`, false), null);
        if (!allowed && found.some(({ address }) => isBlockedAddress(address))) {
          return callback(new ArchiveError('blocked_address', `The video host ${host} resolves to a private or reserved address.`, true), null);
        }
        // TLS still checks the certificate against the name, not the address.
        open({ ...options, hostname: first, servername: isIP(host) ? undefined : host }, callback);
      },
      () => callback(new ArchiveError('network', `The video host ${host} could not be resolved.`, false), null),
    );
  };
}
