import type { MiddlewareHandler } from 'hono';
import { API_ERROR_CODES, ApiError } from '../api-error.js';
import { LOOPBACK_HOSTNAMES, hostnameOfHeader, normalizeHostname } from '../host-check.js';

/** The host names a dashboard answers to: the loopback names and `extra` (`'*'`: any host). */
export class AllowedHosts {
  private readonly names: ReadonlySet<string>;

  constructor(extra: readonly string[] = []) {
    this.names = new Set([...LOOPBACK_HOSTNAMES, ...extra.map(normalizeHostname)]);
  }

  /** Whether every host is allowed (`'*'`), which turns the checks off. */
  get any(): boolean {
    return this.names.has('*');
  }

  /** Whether a `Host` header value (or an origin's host) names an allowed host. */
  allows(host: string): boolean {
    const hostname = hostnameOfHeader(host);
    return this.any || (hostname !== undefined && this.names.has(hostname));
  }
}

/**
 * DNS-rebinding protection: the `Host` header must name an allowed host. An absolute-form
 * request target (`GET http://other/...`) names a host too, and both must be allowed.
 *
 * @example
 * app.use('*', hostCheck(new AllowedHosts(['runs.lab.internal'])));
 */
export function hostCheck(hosts: AllowedHosts): MiddlewareHandler {
  return async function hostCheck(c, next) {
    if (!hosts.any) {
      const urlHost = new URL(c.req.url).host;
      for (const host of new Set([c.req.header('host') ?? urlHost, urlHost])) {
        if (!hosts.allows(host)) {
          throw new ApiError(
            403,
            API_ERROR_CODES.hostNotAllowed,
            `Host ${JSON.stringify(host)} is not allowed; add it to the dashboard's allowed hosts`,
          );
        }
      }
    }
    await next();
  };
}

/**
 * Refuses a request other than GET and HEAD whose `Origin` is not an allowed host: a page
 * elsewhere may not make the browser act here.
 *
 * @example
 * app.use('/api/*', originCheck(hosts));
 */
export function originCheck(hosts: AllowedHosts): MiddlewareHandler {
  return async function originCheck(c, next) {
    const origin = c.req.header('origin');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && origin !== undefined) {
      if (!hosts.allows(hostOfOrigin(origin))) {
        throw new ApiError(
          403,
          API_ERROR_CODES.originNotAllowed,
          `Origin ${JSON.stringify(origin)} is not allowed`,
        );
      }
    }
    await next();
  };
}

function hostOfOrigin(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}
