import dns from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { OutboundRefusedError, refusalFor } from './address-policy';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net`/`tls` connections: resolves the name and refuses it when any address
 * it resolves to is forbidden. Connecting happens to exactly the addresses checked here, so a
 * name that resolves public at validation and private at send time (DNS rebinding) is caught.
 */
export function guardedLookup(
  hostname: string,
  options: LookupOptions | number | undefined,
  callback: LookupCallback,
): void {
  const opts: LookupOptions = typeof options === 'number' ? { family: options } : { ...(options ?? {}) };
  dns.lookup(hostname, { ...opts, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    for (const a of addresses) {
      const refusal = refusalFor(hostname, a.address);
      if (refusal) return callback(new OutboundRefusedError(`${hostname}: ${refusal}`), []);
    }
    if (opts.all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname}: no address`), { code: 'ENOTFOUND' }), []);
    callback(null, first.address, first.family);
  });
}
