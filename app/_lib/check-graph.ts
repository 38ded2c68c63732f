'use client';
// The server's graph check (graphs.check, a POST): the problems only the server can see (uploaded
// files' columns, model configs on disk) and the values "auto" params resolve to.
import type { GraphDocument } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import type { useTRPCClient } from './trpc';

/** Resolved "auto" params by node id, then param (contract in graphs.check). */
export type ResolvedParams = Record<string, Record<string, { value: number; reason: string }>>;

export interface ServerCheck {
  issues: CompileIssue[];
  resolved: ResolvedParams;
}

/** Calls graphs.check for `document`. */
export async function checkOnServer(client: ReturnType<typeof useTRPCClient>, document: GraphDocument): Promise<ServerCheck> {
  // Typed loosely on purpose: graphs.check became a mutation returning `resolved` with the defaults
  // resolver; the editor only needs this shape.
  const check = client.graphs.check as unknown as { mutate(input: { document: GraphDocument }): Promise<{ issues: CompileIssue[]; resolved?: ResolvedParams }> };
  const res = await check.mutate({ document });
  return { issues: res.issues, resolved: res.resolved ?? {} };
}

/** Client and server issues together, each problem once. */
export function mergeIssues(local: CompileIssue[], server: CompileIssue[]): CompileIssue[] {
  const key = (i: CompileIssue) => `${i.kind}|${i.nodeId ?? ''}|${i.port ?? ''}|${i.param ?? ''}|${i.message}`;
  const seen = new Set(local.map(key));
  return [...local, ...server.filter((i) => !seen.has(key(i)))];
}
