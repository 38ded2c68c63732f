// Database schema (Drizzle, PostgreSQL dialect: PGlite embedded or a real server).
// Everything users make belongs to a workspace, so sharing and rights have one anchor.
import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, type AnyPgColumn } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const updatedAt = () => timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();
const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** People. better-auth's `user` model is mapped onto this table (its field names are the camelCase keys). */
export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  emailVerified: boolean('email_verified').notNull().default(false),
  image: text('image'),
  /** The workspace the person last switched to; their first membership when null. */
  currentWorkspaceId: text('current_workspace_id').references((): AnyPgColumn => workspaces.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** better-auth sessions (the cookie carries the signed token). */
export const authSessions = pgTable(
  'auth_sessions',
  {
    id: text('id').primaryKey(),
    token: text('token').notNull().unique(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: at('expires_at').notNull(),
    ipAddress: text('ip_address'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

/** better-auth accounts: the email+password credential (scrypt hash in `password`). */
export const authAccounts = pgTable(
  'auth_accounts',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    providerId: text('provider_id').notNull(),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    idToken: text('id_token'),
    accessTokenExpiresAt: at('access_token_expires_at'),
    refreshTokenExpiresAt: at('refresh_token_expires_at'),
    scope: text('scope'),
    password: text('password'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('auth_accounts_user_idx').on(t.userId)],
);

/** better-auth verification values (unused by email+password today, required by the library). */
export const authVerifications = pgTable('auth_verifications', {
  id: text('id').primaryKey(),
  identifier: text('identifier').notNull(),
  value: text('value').notNull(),
  expiresAt: at('expires_at').notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** The roles, strongest first. */
export const ROLES = ['owner', 'admin', 'editor', 'viewer'] as const;

/** Membership and role: owner/admin manage members and sharing, editor changes and runs, viewer reads. One owner per workspace. */
export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), uniqueIndex('workspace_members_one_owner_idx').on(t.workspaceId).where(sql`role = 'owner'`)],
);

/** People added by email before they have an account; signing up with that email turns the invitation into a membership. */
export const workspaceInvitations = pgTable(
  'workspace_invitations',
  {
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: text('role', { enum: ['admin', 'editor', 'viewer'] }).notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.email] })],
);

export const graphs = pgTable(
  'graphs',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    latestVersion: integer('latest_version').notNull(),
    createdBy: text('created_by').references(() => users.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('graphs_workspace_idx').on(t.workspaceId)],
);

/** Every save is a new immutable row; history never changes. */
export const graphVersions = pgTable(
  'graph_versions',
  {
    graphId: text('graph_id').notNull().references(() => graphs.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    document: jsonb('document').notNull(),
    message: text('message').notNull().default(''),
    createdBy: text('created_by').references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.graphId, t.version] })],
);

/** A run keeps the exact compiled graph it ran, so history never depends on later edits. */
export const runs = pgTable(
  'runs',
  {
    id: text('id').primaryKey(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    graphId: text('graph_id').notNull().references(() => graphs.id, { onDelete: 'cascade' }),
    graphVersion: integer('graph_version'),
    document: jsonb('document').notNull(),
    targets: jsonb('targets').notNull().default([]),
    status: text('status', { enum: ['queued', 'running', 'done', 'failed', 'cancelled'] }).notNull(),
    backend: text('backend'),
    device: text('device'),
    error: text('error'),
    /** The run this one reran with changes. */
    parentRunId: text('parent_run_id').references((): AnyPgColumn => runs.id, { onDelete: 'set null' }),
    /** The sweep this run belongs to. */
    sweepId: text('sweep_id'),
    createdBy: text('created_by').references(() => users.id),
    createdAt: createdAt(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /** Queue mode: set when a cancel was asked for, so every replica and the reconciler see it. */
    cancelRequestedAt: timestamp('cancel_requested_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('runs_graph_idx').on(t.graphId)],
);

export const runNodes = pgTable(
  'run_nodes',
  {
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    nodeId: text('node_id').notNull(),
    cacheKey: text('cache_key').notNull(),
    status: text('status', { enum: ['queued', 'running', 'cached', 'done', 'failed', 'skipped', 'cancelled'] }).notNull(),
    error: text('error'),
    metrics: jsonb('metrics'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    finishedAt: timestamp('finished_at', { withTimezone: true, mode: 'date' }),
    /** Queue mode (REDIS_URL): how many times a worker started this stage, and the latest one's job, worker and backend. */
    attempts: integer('attempts').notNull().default(0),
    jobId: text('job_id'),
    workerId: text('worker_id'),
    backend: text('backend'),
    device: text('device'),
    /** Worker labels this stage needs (e.g. ["gpu"]). */
    requires: jsonb('requires').$type<string[]>().notNull().default([]),
    enqueuedAt: timestamp('enqueued_at', { withTimezone: true, mode: 'date' }),
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.nodeId] }), index('run_nodes_worker_idx').on(t.workerId, t.startedAt)],
);

/** Events numbered per run; a browser that reconnects replays from the last seq it saw. */
export const runEvents = pgTable(
  'run_events',
  {
    runId: text('run_id').notNull().references(() => runs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

/** Uploaded data files; the bytes live under the data directory, confined to the workspace folder. */
export const uploads = pgTable('uploads', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
  filename: text('filename').notNull(),
  path: text('path').notNull(),
  bytes: bigint('bytes', { mode: 'number' }).notNull(),
  contentHash: text('content_hash').notNull(),
  createdBy: text('created_by').references(() => users.id),
  createdAt: createdAt(),
});

/** Content-addressed stage results, shared by every graph of a workspace. */
export const artifacts = pgTable(
  'artifacts',
  {
    key: text('key').notNull(),
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    path: text('path').notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('artifacts_key_ws_idx').on(t.workspaceId, t.key)],
);

/** Compute hosts of queue mode (REDIS_URL), as their last heartbeat described them. */
export const workers = pgTable('workers', {
  id: text('id').primaryKey(),
  hostname: text('hostname').notNull(),
  labels: jsonb('labels').$type<string[]>().notNull().default([]),
  concurrency: integer('concurrency').notNull(),
  backend: text('backend'),
  device: text('device'),
  memoryBytes: bigint('memory_bytes', { mode: 'number' }),
  freeMemoryBytes: bigint('free_memory_bytes', { mode: 'number' }),
  gpuMemoryBytes: bigint('gpu_memory_bytes', { mode: 'number' }),
  currentJobs: jsonb('current_jobs').$type<{ runId: string; nodeId: string; startedAt: number }[]>().notNull().default([]),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** A graph shared beyond its workspace: with one person or with a whole workspace, as viewer or editor. */
export const graphShares = pgTable(
  'graph_shares',
  {
    id: text('id').primaryKey(),
    graphId: text('graph_id').notNull().references(() => graphs.id, { onDelete: 'cascade' }),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    workspaceId: text('workspace_id').references(() => workspaces.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['editor', 'viewer'] }).notNull(),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('graph_shares_user_idx').on(t.graphId, t.userId),
    uniqueIndex('graph_shares_workspace_idx').on(t.graphId, t.workspaceId),
    check('graph_shares_one_target', sql`(user_id IS NULL) <> (workspace_id IS NULL)`),
  ],
);

/** A read-only link to a graph; the token is the secret in the URL, revoking stops it at once. */
export const shareLinks = pgTable('share_links', {
  token: text('token').primaryKey(),
  graphId: text('graph_id').notNull().references(() => graphs.id, { onDelete: 'cascade' }),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  revokedAt: at('revoked_at'),
});

/** A grid over one or two params of one node; its runs carry `sweep_id`. */
export const sweeps = pgTable('sweeps', {
  id: text('id').primaryKey(),
  workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
  graphId: text('graph_id').notNull().references(() => graphs.id, { onDelete: 'cascade' }),
  graphVersion: integer('graph_version').notNull(),
  nodeId: text('node_id').notNull(),
  /** `{ params: [{ name, values }] }`. */
  spec: jsonb('spec').notNull(),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
});
