// Who is calling. Until accounts arrive (better-auth), every request is the local user;
// routers never look at requests themselves, so accounts drop in here without touching them.
import type { IncomingMessage } from 'node:http';
import { LOCAL_USER } from '../db/seed';

export interface SessionUser {
  id: string;
  name: string;
}

/** The signed-in user of a request, or null. */
export async function getSessionUser(_req: IncomingMessage): Promise<SessionUser | null> {
  return { id: LOCAL_USER.id, name: LOCAL_USER.name };
}
