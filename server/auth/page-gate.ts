// Pages need a session: a browser without one is sent to /login (which shows the owner set-up on a
// fresh install). The login page, share links and Next's own assets stay reachable.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth } from './auth';
import { getSessionUser } from './session';

const publicPrefixes = ['/_next/', '/share/', '/login/'];

/** Whether a path is served without a session. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/login' || pathname === '/favicon.ico' || publicPrefixes.some((p) => pathname.startsWith(p));
}

/** Answers the request (redirect or 401) and returns true when it needs a session it does not have. */
export async function refuseWithoutSession(req: IncomingMessage, res: ServerResponse, auth: Auth): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://local');
  if (isPublicPath(url.pathname)) return false;
  if (await getSessionUser(req, auth)) return false;
  const wantsHtml = req.method === 'GET' && String(req.headers.accept ?? '').includes('text/html');
  if (wantsHtml) {
    const next = url.pathname + url.search;
    res.writeHead(302, { location: `/login${next !== '/' ? `?next=${encodeURIComponent(next)}` : ''}`, 'cache-control': 'no-store' });
    res.end();
  } else {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'sign in first' }));
  }
  return true;
}
