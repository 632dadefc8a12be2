import type { Server } from 'node:http';
import type { Logger } from '../logger.js';
import type { ClientAddresses } from './client-address.js';

/**
 * At most `max` open TCP connections per peer address (HTTP, SSE and websockets alike); one more
 * is destroyed as it arrives, before a byte of it is read. Connections from trusted proxies
 * (`TRUST_PROXY`) are not counted: each carries many clients, limited by address further in.
 */
export function limitConnectionsPerAddress(server: Server, { max, addresses, logger }: { max: number; addresses: ClientAddresses; logger: Logger }): void {
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress;
    if (address === undefined || addresses.isProxy(address)) return;
    const count = open.get(address) ?? 0;
    if (count >= max) {
      logger.debug({ address }, 'connection refused: too many from this address');
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
    });
  });
}
