import { isIP } from 'node:net';

/** Host names every dashboard answers to. */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'] as const;

/**
 * Whether `host` (a name or an address, IPv6 with or without brackets) is the loopback
 * interface: `localhost`, `127.0.0.0/8`, `::1` or `::ffff:127.x.y.z`.
 *
 * @example
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0'); // false
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) {
    if (name === '::1' || /^(0{1,4}:){7}0{0,3}1$/.test(name)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name);
    return mapped !== null && mapped[1].startsWith('127.');
  }
  return false;
}

/** Whether `host` means "every interface" (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  const name = host.replace(/^\[(.*)\]$/, '$1');
  return name === '0.0.0.0' || name === '::' || name === '';
}

/** A host name as compared with `Host` headers: lower case, IPv6 in brackets, no trailing dot. */
export function normalizeHostname(host: string): string {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  return isIP(name) === 6 ? `[${name}]` : name;
}

/**
 * The host name of a `Host` header value (`example.com:8787` → `example.com`,
 * `[::1]:8787` → `[::1]`), normalized; `undefined` when malformed.
 */
export function hostnameOfHeader(value: string): string | undefined {
  const text = value.trim().toLowerCase();
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1) return undefined;
    const rest = text.slice(close + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    return isIP(text.slice(1, close)) === 6 ? text.slice(0, close + 1) : undefined;
  }
  const match = /^([a-z0-9._-]+?)\.?(?::\d{1,5})?$/.exec(text);
  return match ? match[1] : undefined;
}
