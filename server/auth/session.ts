// Who is calling: the better-auth session of a request (cookie), or null. Routers never look at
// requests themselves; tRPC context, file routes, pages and socket.io all ask here.
import type { IncomingMessage } from 'node:http';
import { fromNodeHeaders } from 'better-auth/node';
import type { Auth } from './auth';

export interface SessionUser {
  id: string;
  name: string;
  email?: string;
}

/** The signed-in user of a request, or null (no cookie, expired or signed-out session). */
export async function getSessionUser(req: IncomingMessage, auth: Auth): Promise<SessionUser | null> {
  if (!req.headers.cookie) return null;
  try {
    const session = await auth.api.getSession({ headers: fromNodeHeaders(req.headers) });
    return session ? { id: session.user.id, name: session.user.name, email: session.user.email } : null;
  } catch {
    // A malformed or foreign cookie is the same as none.
    return null;
  }
}
