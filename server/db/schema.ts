// Database schema (Drizzle, PostgreSQL dialect: PGlite embedded or a real server).
// Everything users make belongs to a workspace, so sharing and rights have one anchor.
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  email: text('email').notNull().unique(),
  createdAt: createdAt(),
});

export const workspaces = pgTable('workspaces', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: createdAt(),
});

/** Membership and role: owner and editor may change things, viewer may read. */
export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: text('workspace_id').notNull().references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ['owner', 'editor', 'viewer'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] })],
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
