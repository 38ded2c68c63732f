// The server's graph check: validation with the disk-backed data checks (model configs, uploaded
// files of the caller's workspace only) and the "auto" values the run will use.
import { and, eq, inArray } from 'drizzle-orm';
import type { GraphDocument } from '../../graph-nodes';
import { diskFactSources, type FactDirs } from '../../runtime/compile/disk-facts';
import { graphFacts, type FactSources } from '../../runtime/compile/graph-facts';
import type { CompileIssue } from '../../runtime/compile/issues';
import { resolveAutoParams, type ResolvedParams } from '../../runtime/compile/resolve-defaults';
import { validateGraph, validateGraphInSlices } from '../../runtime/compile/validate';
import type { Database } from '../db/client';
import { uploads } from '../db/schema';

/** Upload ids a document references. */
function referencedUploads(doc: unknown): string[] {
  const nodes = (doc as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return [];
  const ids = nodes.map((n) => (n as { params?: { fileId?: unknown } })?.params?.fileId).filter((f): f is string => typeof f === 'string' && f.length > 0 && f.length <= 200);
  return [...new Set(ids)].slice(0, 1000);
}

/** Fact sources of the caller's workspace: model configs, and its own uploads only. */
async function workspaceSources(db: Database, workspaceId: string, doc: unknown, dirs: FactDirs): Promise<FactSources> {
  const ids = referencedUploads(doc);
  const owned = new Set(ids.length ? (await db.select({ id: uploads.id }).from(uploads).where(and(eq(uploads.workspaceId, workspaceId), inArray(uploads.id, ids)))).map((r) => r.id) : []);
  return diskFactSources(dirs, (id) => owned.has(id));
}

/** Every problem of a document, with the disk-backed data checks: what graphs.check reports and runs.start refuses. */
export async function graphIssues(db: Database, workspaceId: string, doc: unknown, dirs: FactDirs): Promise<CompileIssue[]> {
  return validateGraphInSlices(doc, await workspaceSources(db, workspaceId, doc, dirs));
}

/** Issues and resolved "auto" params; `dirs` absent (no compute env) means wiring checks only. */
export async function checkGraph(db: Database, workspaceId: string, doc: unknown, dirs: FactDirs | undefined): Promise<{ issues: CompileIssue[]; resolved: ResolvedParams }> {
  if (!dirs) return { issues: validateGraph(doc), resolved: {} };
  const sources = await workspaceSources(db, workspaceId, doc, dirs);
  const issues = await validateGraphInSlices(doc, sources);
  // Values are resolved even when some other node has a problem, so the inspector always shows them.
  let resolved: ResolvedParams = {};
  if (!issues.some((i) => i.kind === 'bad-document')) resolved = resolveAutoParams(graphFacts(doc as GraphDocument, sources));
  return { issues, resolved };
}
