// Which role grants which access: pure rules shared by the server's checks (rights.ts) and the pages
// that show or hide an action, so the two cannot drift. Type-only imports keep the database out of
// the browser bundle.
import type { ROLES } from '../db/schema';

export type Role = (typeof ROLES)[number];
/** What a procedure needs: reading; changing and running; managing (members, sharing, deleting, transferring). */
export type Access = 'read' | 'write' | 'manage';

const allowed: Record<Access, Role[]> = {
  read: ['owner', 'admin', 'editor', 'viewer'],
  write: ['owner', 'admin', 'editor'],
  manage: ['owner', 'admin'],
};

/** Who may do what, in words, for error messages. */
export const accessNeeds: Record<Access, string> = { read: 'any role', write: 'editor, admin or owner', manage: 'admin or owner' };

/** Whether a role grants an access (no role grants nothing). */
export function roleAllows(role: Role | null | undefined, access: Access): boolean {
  return !!role && allowed[access].includes(role);
}
