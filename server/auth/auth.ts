// better-auth, configured once per server: email + password on the users table, sessions in
// auth_sessions, the owner set-up (first account claims the default workspace) and the sign-up policy.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError } from 'better-auth/api';
import { count, eq } from 'drizzle-orm';
import type { Database } from '../db/client';
import type { OriginPolicy } from '../security/host-origin';
import { authAccounts, authSessions, authVerifications, users, workspaceInvitations } from '../db/schema';
import { newId } from '../ids';
import { provisionNewUser } from './provision';
import { attachSessionCache } from './session';
import { SessionCache } from './session-cache';

export interface AuthOptions {
  db: Database;
  /** Where the generated secret is kept when no BETTER_AUTH_SECRET is set. */
  dataDir: string;
  /** `open` (default): anyone who can reach the server may create an account (it starts with an empty workspace of its own); `invite`: only invited emails. */
  signup?: 'open' | 'invite';
  /** Public https URL when behind a proxy (`TUNEGRAPH_PUBLIC_URL`); makes cookies Secure. */
  publicUrl?: string;
  /** The server's Host/Origin policy (server/security): better-auth trusts the same hosts and origins. */
  policy: OriginPolicy;
}

/** Host patterns (with any port) better-auth accepts as its base URL, from the server's host policy. */
export function allowedHostPatterns(policy: OriginPolicy): string[] {
  if (policy.hosts.has('*')) return ['*'];
  return [...policy.hosts].flatMap((h) => {
    const host = h.includes(':') ? `[${h}]` : h;
    return [host, `${host}:*`];
  });
}

/** The signing secret: BETTER_AUTH_SECRET, or one generated on first start and kept (0600) in the data folder. */
function authSecret(dataDir: string): string {
  const fromEnv = process.env.BETTER_AUTH_SECRET || process.env.TUNEGRAPH_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'auth-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

const idPrefix: Record<string, string> = { user: 'u', session: 's', account: 'a', verification: 'v' };

/** Creates the better-auth instance for one database. */
export function createAuth(opts: AuthOptions) {
  const { db } = opts;
  const hosts = allowedHostPatterns(opts.policy);
  const secure = !!opts.publicUrl?.startsWith('https://');
  // Every change better-auth makes to a session or user drops what the session cache knows of it,
  // before the change (so no request in between stores it again) and after (so none stored during it survives).
  const sessions = new SessionCache();
  const forgetSession = async (s: { token: string }) => sessions.revoke({ token: s.token });
  const forgetUser = async (u: { id: string }) => sessions.revoke({ userId: u.id });
  const auth = betterAuth({
    appName: 'Tunegraph',
    secret: authSecret(opts.dataDir),
    basePath: '/api/auth',
    baseURL: opts.publicUrl ? opts.publicUrl : { allowedHosts: hosts, protocol: 'http' },
    trustedOrigins: [...(opts.publicUrl ? [new URL(opts.publicUrl).origin] : []), ...hosts.flatMap((h) => [`http://${h}`, `https://${h}`]), ...opts.policy.origins],
    database: drizzleAdapter(db, { provider: 'pg', schema: { user: users, session: authSessions, account: authAccounts, verification: authVerifications } }),
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128, autoSignIn: true },
    session: { expiresIn: 60 * 60 * 24 * 14, updateAge: 60 * 60 * 24 },
    rateLimit: { enabled: true, window: 60, max: 300, customRules: { '/sign-in/email': { window: 60, max: 20 }, '/sign-up/email': { window: 60, max: 20 } } },
    advanced: {
      // HttpOnly and SameSite=Lax are better-auth's defaults; Secure whenever the public URL is https.
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', secure },
      cookiePrefix: 'tunegraph',
      database: { generateId: ({ model }) => newId(idPrefix[model] ?? 'x') },
    },
    databaseHooks: {
      session: {
        update: { after: forgetSession },
        delete: { before: forgetSession, after: forgetSession },
      },
      user: {
        update: { after: forgetUser },
        delete: { before: forgetUser, after: forgetUser },
        create: {
          before: async (user) => {
            if ((opts.signup ?? 'open') === 'open' || !(await hasOwner(db))) return;
            const [invited] = await db.select({ n: count() }).from(workspaceInvitations).where(eq(workspaceInvitations.email, user.email.toLowerCase()));
            if (!invited?.n) throw new APIError('FORBIDDEN', { message: 'sign-up is by invitation: ask a workspace owner or admin to add your email first' });
          },
          after: async (user) => {
            await provisionNewUser(db, { id: user.id, name: user.name, email: user.email });
          },
        },
      },
    },
  });
  attachSessionCache(auth, sessions);
  return auth;
}

export type Auth = ReturnType<typeof createAuth>;

/** Whether the owner account exists (someone has signed up); before that the UI shows the owner set-up. */
export async function hasOwner(db: Database): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(authAccounts);
  return (row?.n ?? 0) > 0;
}
