// tRPC, initialised once: context, error shape, and the procedures every router builds on.
// Rights are checked here and only here: authedProcedure (signed in), workspaceProcedure
// (member of the workspace acted in) and graphProcedure (role on the graph's workspace).
import { initTRPC, TRPCError } from '@trpc/server';
import type { IncomingMessage } from 'node:http';
import superjson from 'superjson';
import { z, ZodError } from 'zod';
import type { Auth } from './auth/auth';
import { getSessionUser, type SessionUser } from './auth/session';
import { accessNeeds, currentWorkspaceOf, graphWithRole, roleAllows, runWithRole, type Access } from './auth/rights';
import type { Database } from './db/client';
import type { RunService } from './runs/run-service';
import { findInputProblemInSlices, MAX_INPUT_DEPTH, nestsDeeperThan } from './security/input-guard';
import { publicMessage } from './security/public-error';

export interface Context {
  db: Database;
  user: SessionUser | null;
  /** Runs (absent in contexts that cannot start runs, e.g. some tests). */
  runService?: RunService;
}

/** Context without HTTP, for tests and server-side callers. */
export async function createContextInner(opts: { db: Database; user: SessionUser | null; runService?: RunService }): Promise<Context> {
  return { db: opts.db, user: opts.user, runService: opts.runService };
}

/** Context for an HTTP request: the caller comes from the request's session cookie, never from the input. */
export async function createContext(opts: { req: IncomingMessage; db: Database; auth: Auth; runService?: RunService }): Promise<Context> {
  return createContextInner({ db: opts.db, user: await getSessionUser(opts.req, opts.auth), runService: opts.runService });
}

/** superjson, with the nesting of its annotations bounded first: its walk over them recurses. */
const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (raw: unknown) => {
      // superjson walks `meta` recursively; the value itself is walked (iteratively) by the input guard below.
      if (nestsDeeperThan((raw as { meta?: unknown } | null)?.meta, MAX_INPUT_DEPTH + 2)) throw new TRPCError({ code: 'BAD_REQUEST', message: `input is nested more than ${MAX_INPUT_DEPTH} levels deep` });
      // In place: the value was just parsed from this request, and a deep copy of a 5 MB document costs tens of ms.
      return superjson.deserialize(raw as Parameters<typeof superjson.deserialize>[0], { inPlace: true });
    },
  },
  output: {
    serialize: (value: unknown) => {
      try {
        return superjson.serialize(value);
      } catch (err) {
        // superjson refuses keys named __proto__/constructor/prototype (a dataset label can be one);
        // plain JSON still carries the answer, with Dates as ISO strings.
        if (!/prototype pollution/.test((err as Error).message)) throw err;
        return { json: JSON.parse(JSON.stringify(value)) };
      }
    },
    deserialize: (value: unknown) => superjson.deserialize(value as Parameters<typeof superjson.deserialize>[0]),
  },
};

const t = initTRPC.context<Context>().create({
  transformer,
  errorFormatter({ shape, error, path }) {
    const { stack: _stack, ...data } = shape.data as typeof shape.data & { stack?: string };
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      message: publicMessage(error.code, error.message, error.cause, path),
      data: { ...data, issues: zod ? zod.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : undefined },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Every procedure's first step: the input is plain JSON whose strings PostgreSQL can store (no NUL,
 * no unpaired surrogate), else a 400 naming the field. */
export const publicProcedure = t.procedure.use(async ({ getRawInput, next }) => {
  const problem = await findInputProblemInSlices(await getRawInput());
  if (problem) throw new TRPCError({ code: 'BAD_REQUEST', message: `${problem.path}: ${problem.message}` });
  return next();
});

/** A signed-in caller. */
export const authedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'sign in first' });
  return next({ ctx: { ...ctx, user: ctx.user } });
});

/** Acts in the caller's current workspace (switched with workspaces.switch). */
export const workspaceProcedure = authedProcedure.use(async ({ ctx, next }) => {
  const membership = await currentWorkspaceOf(ctx.db, ctx.user.id);
  if (!membership) throw new TRPCError({ code: 'FORBIDDEN', message: 'you are not a member of any workspace' });
  return next({ ctx: { ...ctx, workspaceId: membership.workspaceId, role: membership.role } });
});

/** workspaceProcedure for callers whose role grants `access` in their current workspace. */
export function workspaceAccessProcedure(access: Access) {
  return workspaceProcedure.use(({ ctx, next }) => {
    if (!roleAllows(ctx.role, access)) throw new TRPCError({ code: 'FORBIDDEN', message: `your role in this workspace is ${ctx.role}; this needs ${accessNeeds[access]}` });
    return next();
  });
}

/** Loads `input.graphId` and checks the caller's role on it (workspace role or share); missing and foreign graphs look the same. */
export function graphProcedure(access: Access) {
  return authedProcedure.input(z.object({ graphId: z.string().min(1).max(64) })).use(async ({ ctx, input, next }) => {
    // The row and the caller's role on it in one (prepared) query.
    const found = await graphWithRole(ctx.db, ctx.user.id, input.graphId);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: `no graph '${input.graphId}'` });
    const { graph, role } = found;
    if (!roleAllows(role, access)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `your role on graph '${input.graphId}' is ${role}; this needs ${accessNeeds[access]}` });
    }
    return next({ ctx: { ...ctx, graph, role } });
  });
}

/** Loads `input.runId` and checks the caller's role on its graph (the same rule as graphs). */
export function runProcedure(access: Access) {
  return authedProcedure.input(z.object({ runId: z.string().min(1).max(64) })).use(async ({ ctx, input, next }) => {
    const found = await runWithRole(ctx.db, ctx.user.id, input.runId);
    if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: `no run '${input.runId}'` });
    const { run, role } = found;
    if (!roleAllows(role, access)) throw new TRPCError({ code: 'FORBIDDEN', message: `your role on run '${input.runId}' is ${role}; this needs ${accessNeeds[access]}` });
    return next({ ctx: { ...ctx, run, role } });
  });
}

/** The run service of a context, or an error saying runs are not available here. */
export function requireRunService(ctx: Context): RunService {
  if (!ctx.runService) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'runs are not available in this server' });
  return ctx.runService;
}
