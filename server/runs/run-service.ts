// Runs as the server sees them: compile and record a run, hand it to the queue, persist every
// event in order, keep run and node rows current, push events to the run's socket.io room, and
// recover runs that a restart interrupted.
import { join } from 'node:path';
import { and, asc, eq, gt, inArray, max } from 'drizzle-orm';
import type { Server as SocketServer } from 'socket.io';
import type { GraphDocument } from '../../graph-nodes';
import { cacheKeysFor } from '../../runtime/compile/cache-key';
import { cachedModelSourceHashes, resolveModelSourceHashes } from '../../runtime/io/model-source-hashes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { planRun, descendantsOf } from '../../runtime/compile/plan';
import type { NodeStatus, NumberedRunEvent, RunEvent } from '../../runtime/exec/events';
import type { RunJob } from '../../runtime/exec/execute-run';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';
import { stageVersions } from '../../runtime/stages/versions';
import type { Database } from '../db/client';
import { graphIssues } from '../compile/check-graph';
import { runEvents, runNodes, runs } from '../db/schema';
import { newId } from '../ids';
import { runRoom } from '../realtime/socket';
import { cleanStrings } from '../security/input-guard';
import { judgeCapacity } from './capacity';
import { formatBytes, formatSeconds, type StageEstimate } from './estimate';
import { runFailureReason } from './failure-reason';
import type { RunQueue } from './run-queue';

/** A run could not start; the issues say where. */
export class RunRejected extends Error {
  constructor(readonly issues: CompileIssue[]) {
    super(`the graph has ${issues.length} problem${issues.length === 1 ? '' : 's'}: ${issues.slice(0, 3).map((i) => (i.nodeId ? `${i.nodeId}${i.param ? ` (${i.param})` : ''}: ${i.message}` : i.message)).join('; ')}`);
  }
}

export interface StartRunInput {
  workspaceId: string;
  graphId: string;
  graphVersion: number | null;
  document: GraphDocument;
  userId: string;
  /** `all`, `to` (the node and what it needs) or `from` (the node and everything after it, forced). */
  mode: 'all' | 'to' | 'from';
  nodeId?: string;
  /** Worker labels its training stages need in queue mode (default: TUNEGRAPH_TRAINING_REQUIRES, e.g. "gpu"). */
  requires?: string[];
}

/** Node types that train (these follow a run's `requires`; data and model plumbing run on any worker). */
export const TRAINING_NODE_TYPES = new Set(['dapt', 'fine-tune', 'distill']);

/** Labels training stages need when a run names none: TUNEGRAPH_TRAINING_REQUIRES (comma-separated). */
export function defaultTrainingRequires(): string[] {
  return (process.env.TUNEGRAPH_TRAINING_REQUIRES ?? '').split(',').map((l) => l.trim()).filter(Boolean);
}

const TERMINAL = new Set(['done', 'failed', 'cancelled']);

export class RunService {
  private readonly seqs = new Map<string, number>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly recent = new Map<string, NumberedRunEvent[]>();
  private io: SocketServer | null = null;
  private pushAfterStore = false;
  queue!: RunQueue;

  constructor(
    private readonly db: Database,
    readonly env: RuntimeEnv,
  ) {}

  /** `pushAfterStore`: with several replicas a browser may join on one that has not seen an event, so
   * an event is pushed only once stored (its replay from the database then cannot miss it). */
  attach(queue: RunQueue, io: SocketServer | null, opts: { pushAfterStore?: boolean } = {}): void {
    this.queue = queue;
    this.io = io;
    this.pushAfterStore = !!opts.pushAfterStore;
  }

  /** Forgets cached per-run sequence numbers, so the next event of each run reads the database's
   * (queue mode: this replica just became the leader; another one may have recorded events meanwhile). */
  resetSequences(): void {
    this.seqs.clear();
  }

  /** Cache keys of a document as the executor will compute them in a workspace (each workspace has its own cache). */
  keysFor(document: GraphDocument, workspaceId: string): Record<string, string> {
    return cacheKeysFor(document, { stageVersions, dataHashes: cachedModelSourceHashes(document, this.env), scope: workspaceId });
  }

  async start(input: StartRunInput): Promise<{ runId: string; estimates: StageEstimate[]; warnings: string[] }> {
    // The same checks as graphs.check, with the uploaded files read (columns, kinds) and only this
    // workspace's uploads readable: what the editor reported is what a run refuses.
    const issues = await graphIssues(this.db, input.workspaceId, input.document, this.env);
    if (issues.length > 0) throw new RunRejected(issues);
    if (input.mode !== 'all' && !input.nodeId) throw new Error(`mode "${input.mode}" needs a nodeId`);
    const doc = input.document;
    let targets: string[] | undefined;
    let force: string[] = [];
    if (input.mode === 'to') targets = [input.nodeId!];
    if (input.mode === 'from') force = [input.nodeId!, ...descendantsOf(doc, input.nodeId!)];
    const order = planRun(doc, targets);
    // A Hub model's key names the commit its revision resolves to now (a moved branch reruns it);
    // a bundled or local-folder model's names its files' contents (a retrained model reruns it).
    const allKeys = cacheKeysFor(doc, { stageVersions, dataHashes: await resolveModelSourceHashes(doc, this.env), scope: input.workspaceId });
    const keys = Object.fromEntries(order.map((id) => [id, allKeys[id]]));
    const runId = newId('r');
    const requires = input.requires ?? defaultTrainingRequires();
    const nodeType = new Map(doc.nodes.map((n) => [n.id, n.type]));
    const requiresOf = (nodeId: string) => (TRAINING_NODE_TYPES.has(nodeType.get(nodeId)!) ? requires : []);
    const capacity = judgeCapacity(doc, order, requiresOf, this.env, (await this.queue.overview?.().catch(() => null)) ?? null);
    if (capacity.issues.length > 0) throw new RunRejected(capacity.issues);
    await this.db.transaction(async (tx) => {
      await tx.insert(runs).values({
        id: runId,
        workspaceId: input.workspaceId,
        graphId: input.graphId,
        graphVersion: input.graphVersion,
        document: doc,
        targets: { mode: input.mode, nodeId: input.nodeId ?? null, force },
        status: 'queued',
        createdBy: input.userId,
      });
      if (order.length > 0) await tx.insert(runNodes).values(order.map((nodeId) => ({ runId, nodeId, cacheKey: keys[nodeId], status: 'queued' as const, requires: requiresOf(nodeId) })));
    });
    this.seqs.set(runId, 0);
    for (const e of capacity.estimates) await this.record(runId, { type: 'log', nodeId: e.nodeId, level: 'info', message: `estimate: ${formatBytes(e.memoryBytes)} of memory${e.seconds !== null ? `, ${formatSeconds(e.seconds)}` : ''} (${e.basis})` });
    for (const w of capacity.warnings) await this.record(runId, { type: 'log', level: 'warn', message: w });
    this.queue.enqueue(this.jobFor(runId, doc, order, keys, force));
    return { runId, estimates: capacity.estimates, warnings: capacity.warnings };
  }

  private jobFor(runId: string, document: GraphDocument, order: string[], keys: Record<string, string>, force: string[]): RunJob {
    return { runId, document, order, keys, force, env: this.env };
  }

  /** Numbers an event and pushes it to the run's room at once, then persists it (and updates the
   * run/node rows) in order behind the run's earlier events; resolves once it is stored. Pushing
   * before the database write keeps live latency low; `recent` covers a browser that joins while
   * a write is still pending. */
  record = async (runId: string, rawEvent: RunEvent, emittedAt?: number): Promise<NumberedRunEvent | null> => {
    // A NUL or unpaired surrogate (from a file, an error message) would make PostgreSQL refuse the
    // row and leave a gap in the replay; such characters become U+FFFD instead.
    let event = cleanStrings(rawEvent);
    const terminal = event.type === 'run-status' && TERMINAL.has(event.status);
    if (terminal && event.type === 'run-status') {
      // Nodes that never got a final status are closed first, so nothing follows the run's last event.
      await this.chains.get(runId);
      await this.closeLeftovers(runId, event.status === 'cancelled' ? 'cancelled' : 'skipped', event.error);
      // A failed run says which node failed and why, in its header and in the run list.
      if (event.status === 'failed') event = { ...event, error: (await this.failureReason(runId)) ?? event.error ?? 'the run failed before any node finished; its log has the details' };
    }
    if (!this.seqs.has(runId)) {
      const [row] = await this.db.select({ m: max(runEvents.seq) }).from(runEvents).where(eq(runEvents.runId, runId));
      if (!this.seqs.has(runId)) this.seqs.set(runId, row?.m ?? 0);
    }
    const seq = this.seqs.get(runId)! + 1;
    this.seqs.set(runId, seq);
    const at = new Date();
    const numbered = { ...event, runId, seq, at: at.toISOString(), ...(emittedAt ? { emittedAt } : {}) } as NumberedRunEvent;
    const recent = this.recent.get(runId) ?? [];
    recent.push(numbered);
    if (recent.length > 2000) recent.splice(0, recent.length - 2000);
    this.recent.set(runId, recent);
    if (!this.pushAfterStore) this.io?.to(runRoom(runId)).emit('run-event', numbered);
    const previous = this.chains.get(runId) ?? Promise.resolve();
    const stored = previous.then(() => this.persist(runId, event, seq, at)).catch((err) => console.error(`run ${runId}: event ${seq} could not be stored:`, err));
    this.chains.set(runId, stored);
    await stored;
    if (this.pushAfterStore) this.io?.to(runRoom(runId)).emit('run-event', numbered);
    if (terminal) {
      this.seqs.delete(runId);
      this.chains.delete(runId);
      this.recent.delete(runId);
    }
    return numbered;
  };

  private async persist(runId: string, event: RunEvent, seq: number, at: Date): Promise<void> {
    await this.db.insert(runEvents).values({ runId, seq, type: event.type, payload: event, createdAt: at });
    if (event.type === 'node-status') {
      const patch: Partial<typeof runNodes.$inferInsert> = { status: event.status, error: event.error ?? null };
      if (event.status === 'running') patch.startedAt = at;
      if (TERMINAL.has(event.status) || event.status === 'cached' || event.status === 'skipped') patch.finishedAt = at;
      await this.db.update(runNodes).set(patch).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, event.nodeId)));
    } else if (event.type === 'metrics') {
      await this.db.update(runNodes).set({ metrics: event.metrics }).where(and(eq(runNodes.runId, runId), eq(runNodes.nodeId, event.nodeId)));
    } else if (event.type === 'run-status') {
      const patch: Partial<typeof runs.$inferInsert> = { status: event.status };
      if (event.backend) patch.backend = event.backend;
      if (event.device) patch.device = event.device;
      if (event.error) patch.error = event.error;
      if (event.status === 'running') patch.startedAt = at;
      if (TERMINAL.has(event.status)) patch.finishedAt = at;
      await this.db.update(runs).set(patch).where(eq(runs.id, runId));
    }
  }

  /** "Fine-tune (ft1) failed: …" for the run's first failed node, or undefined when no node failed. */
  private async failureReason(runId: string): Promise<string | undefined> {
    await this.chains.get(runId);
    const failed = await this.db.select({ nodeId: runNodes.nodeId, error: runNodes.error }).from(runNodes).where(and(eq(runNodes.runId, runId), eq(runNodes.status, 'failed'))).orderBy(asc(runNodes.finishedAt), asc(runNodes.nodeId));
    if (failed.length === 0) return undefined;
    const [run] = await this.db.select({ document: runs.document }).from(runs).where(eq(runs.id, runId));
    return runFailureReason((run?.document as GraphDocument | undefined) ?? { nodes: [] }, failed);
  }

  /** After a run ends, nodes that never got a final status are closed with a reason. */
  private async closeLeftovers(runId: string, status: NodeStatus, error?: string): Promise<void> {
    const open = await this.db.select().from(runNodes).where(and(eq(runNodes.runId, runId), inArray(runNodes.status, ['queued', 'running'])));
    for (const n of open) {
      const s: NodeStatus = n.status === 'running' ? (status === 'cancelled' ? 'cancelled' : 'failed') : status;
      await this.record(runId, { type: 'node-status', nodeId: n.nodeId, status: s, error: s === 'cancelled' ? 'cancelled' : (error ?? 'the run ended before this node ran') });
    }
  }

  /** Events of a run after `afterSeq`, in order, at most `limit` of them (replay for reconnecting browsers). */
  async eventsAfter(runId: string, afterSeq = 0, limit = 1000): Promise<NumberedRunEvent[]> {
    const rows = await this.db.select().from(runEvents).where(and(eq(runEvents.runId, runId), gt(runEvents.seq, afterSeq))).orderBy(asc(runEvents.seq)).limit(limit);
    const events = rows.map((r) => ({ ...(r.payload as RunEvent), runId, seq: r.seq, at: r.createdAt.toISOString() }) as NumberedRunEvent);
    // Events pushed but not yet written are served from memory.
    const last = events.length ? events[events.length - 1].seq : afterSeq;
    for (const e of this.recent.get(runId) ?? []) if (e.seq > last && events.length < limit) events.push(e);
    return events;
  }

  /** After a restart: runs that were in flight are resumed (finished nodes come back as cached), queued runs run. */
  async recover(): Promise<{ resumed: string[]; queued: string[] }> {
    const open = await this.db.select().from(runs).where(inArray(runs.status, ['queued', 'running'])).orderBy(asc(runs.createdAt));
    const resumed: string[] = [];
    const queued: string[] = [];
    for (const run of open) {
      const nodes = await this.db.select().from(runNodes).where(eq(runNodes.runId, run.id));
      const doc = run.document as GraphDocument;
      const order = planRun(doc).filter((id) => nodes.some((n) => n.nodeId === id));
      const keys = Object.fromEntries(nodes.map((n) => [n.nodeId, n.cacheKey]));
      const force = ((run.targets as { force?: string[] }).force ?? []).filter((id) => !nodes.some((n) => n.nodeId === id && n.status === 'done'));
      if (run.status === 'running') {
        await this.record(run.id, { type: 'log', level: 'warn', message: 'the server restarted during this run; resuming (finished nodes are reused from the cache, an interrupted training stage continues from its last checkpoint)' });
        resumed.push(run.id);
      } else queued.push(run.id);
      this.queue.enqueue(this.jobFor(run.id, doc, order, keys, force));
    }
    return { resumed, queued };
  }
}

/** The runtime folders under a data directory. */
export function runtimeEnvFor(dataDir: string, bundledModelsDir: string): RuntimeEnv {
  return {
    dataDir,
    modelsDir: process.env.TUNEGRAPH_MODELS_DIR || join(dataDir, 'models'),
    uploadsDir: join(dataDir, 'uploads'),
    bundledModelsDir,
  };
}
