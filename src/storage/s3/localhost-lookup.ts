/**
 * Name resolution for the S3 client's sockets: "localhost" and every name under it
 * ("kk-test.localhost") are loopback, as RFC 6761 section 6.3 asks of resolver libraries
 * (curl and systemd-resolved do the same); everything else goes to the system resolver.
 * Virtual-hosted addressing puts the bucket in the host name, so without this a local
 * endpoint (http://localhost:7070) only works path-style.
 */
import dns, { type LookupAddress, type LookupOptions } from 'node:dns';

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function isLocalhostName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A drop-in for dns.lookup in http(s).Agent options. */
export function localhostLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  if (!isLocalhostName(hostname)) {
    (dns.lookup as unknown as (h: string, o: LookupOptions, c: LookupCallback) => void)(hostname, options, callback);
    return;
  }
  const family = options.family === 6 || options.family === 'IPv6' ? 6 : 4;
  const address = family === 6 ? '::1' : '127.0.0.1';
  if (options.all) callback(null, [{ address, family }]);
  else callback(null, address, family);
}
