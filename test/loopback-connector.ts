import { buildConnector } from 'undici';
import type { Connector } from '../src/archive/connector.js';

/**
 * The connector every archive test uses: it opens sockets to loopback addresses only, so that no
 * test sends traffic off this machine even if the guard in front of it were broken.
 * `attempts` records each address a connection was asked for.
 */
export function loopbackOnlyConnector(): Connector & { attempts: string[] } {
  const open = buildConnector({ timeout: 5000 });
  const attempts: string[] = [];
  const connect: Connector = (options, callback) => {
    attempts.push(options.hostname);
    if (!/^127\.\d+\.\d+\.\d+$/.test(options.hostname) && options.hostname !== '::1') {
      return callback(new Error(`The test connector refuses ${options.hostname}: tests stay on loopback.`), null);
    }
    open(options, callback);
  };
  return Object.assign(connect, { attempts });
}
