// One Host/Origin policy for every request the server answers (pages, tRPC, uploads, auth, socket.io):
// a Host outside the allowed list is refused (DNS rebinding), and a browser request from another
// origin is refused before any handler runs (cross-site requests that change state).
import type { IncomingHttpHeaders } from 'node:http';
import { hostname as machineName, networkInterfaces } from 'node:os';

/** Which hosts and origins may talk to this server. */
export interface OriginPolicy {
  /** Lowercase host names (no port) a request's Host header may carry; `*` in the set allows any. */
  hosts: Set<string>;
  /** Extra origins (scheme://host[:port]) allowed besides the server's own; for a proxy on another name. */
  origins: Set<string>;
}

/** Why a request was refused. */
export interface Refusal {
  status: 403 | 400;
  error: string;
}

const LOOPBACK = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '']);

/** The policy from the environment: loopback, the listen host (every interface address when it is a
 * wildcard bind), plus `TUNEGRAPH_ALLOWED_HOSTS` and `TUNEGRAPH_ALLOWED_ORIGINS` (comma-separated). */
export function originPolicyFromEnv(listenHost: string | undefined, env: Record<string, string | undefined> = process.env): OriginPolicy {
  const hosts = new Set(LOOPBACK);
  const bind = (listenHost ?? '127.0.0.1').toLowerCase();
  if (WILDCARD_BINDS.has(bind)) {
    // Reachable on every interface: the machine's own addresses and name are its real names.
    hosts.add(machineName().toLowerCase());
    for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) hosts.add(a.address.toLowerCase().replace(/%.*$/, ''));
  } else hosts.add(stripBrackets(bind));
  for (const h of splitList(env.TUNEGRAPH_ALLOWED_HOSTS)) hosts.add(h === '*' ? '*' : hostnameOf(h));
  const origins = new Set(splitList(env.TUNEGRAPH_ALLOWED_ORIGINS).map((o) => o.replace(/\/+$/, '')));
  return { hosts, origins };
}

/** Requests that can change state; everything else is a read. */
export function isStateChanging(method: string | undefined): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes((method ?? 'GET').toUpperCase());
}

/**
 * Null when the request may proceed, else why not. `stateChanging` marks requests that act on the
 * server even when their method is GET (the socket.io handshake).
 */
export function checkRequest(policy: OriginPolicy, req: { method?: string; headers: IncomingHttpHeaders }, opts: { stateChanging?: boolean } = {}): Refusal | null {
  const host = req.headers.host;
  if (!host) return { status: 400, error: 'the request has no Host header' };
  const name = hostnameOf(host);
  if (!policy.hosts.has('*') && !policy.hosts.has(name)) {
    return { status: 403, error: `host "${printable(host)}" is not allowed; add it to TUNEGRAPH_ALLOWED_HOSTS to serve under that name` };
  }
  const origin = single(req.headers.origin);
  const changes = opts.stateChanging || isStateChanging(req.method);
  if (origin !== undefined) {
    if (!originAllowed(policy, origin, host)) return { status: 403, error: `origin "${printable(origin)}" is not allowed; add it to TUNEGRAPH_ALLOWED_ORIGINS to call this server from that page` };
    return null;
  }
  // No Origin: a non-browser client (curl, the CLI, tests) — unless the browser says the request is
  // cross-site, which older browsers and some fetch modes signal only through Sec-Fetch-Site.
  const site = single(req.headers['sec-fetch-site']);
  if (changes && site && site !== 'same-origin' && site !== 'none') return { status: 403, error: `cross-site request refused (sec-fetch-site: ${printable(site)})` };
  return null;
}

function originAllowed(policy: OriginPolicy, origin: string, host: string): boolean {
  if (origin === 'null') return false; // sandboxed frames, file:// pages, redirects across origins
  if (policy.origins.has(origin.replace(/\/+$/, ''))) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // Same origin: the page was served by this server under the Host the request used (already allowed).
  return url.host.toLowerCase() === normaliseHost(host);
}

/** `Host` value with the default port dropped, as URL.host writes it. */
function normaliseHost(host: string): string {
  try {
    return new URL(`http://${host}`).host.toLowerCase();
  } catch {
    return host.toLowerCase();
  }
}

/** The name part of a Host header or host list entry: `[::1]:3000` → `::1`, `Example.COM.:80` → `example.com`. */
export function hostnameOf(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') > 0 ? h.indexOf(']') : undefined);
  const colons = h.split(':').length - 1;
  const name = colons === 1 ? h.slice(0, h.indexOf(':')) : h; // more than one colon: a bare IPv6 address
  return name.replace(/\.$/, '');
}

function stripBrackets(h: string): string {
  return h.replace(/^\[|\]$/g, '');
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function single(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** A header value safe to quote in an error: short, printable ASCII. */
function printable(v: string): string {
  const clean = v.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 100 ? `${clean.slice(0, 100)}…` : clean;
}
