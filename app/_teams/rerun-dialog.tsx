'use client';
// "Rerun with changes…": the run's own graph and params, edited in the generated param forms and
// checked as you type (plain-word messages from the node schemas); the server says which stages
// rerun and which come from the cache; Start saves a new version named after the run and runs it.
import { useMutation, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import { applyParamChanges, formatParamValue, type ParamChange } from '../../runtime/compile/param-changes';
import { ParamForm } from '../_editor/param-form';
import { checkOnServer } from '../_lib/check-graph';
import { useTRPC, useTRPCClient } from '../_lib/trpc';
import { shortRunId } from './compare-data';

/** Edits keyed by node and param; the last edit of a param wins. */
type Edits = Record<string, ParamChange>;
const editKey = (nodeId: string, param: string) => `${nodeId}\u0000${param}`;

/** The value sent for an edit: an emptied field means "back to the default". */
const wireValue = (v: unknown) => (v === undefined ? null : v);

export function RerunDialog({ runId, canRun, onClose, onStarted }: { runId: string; canRun: boolean; onClose: () => void; onStarted: (started: { runId: string; version: number; message: string }) => void }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const run = useQuery(trpc.runs.get.queryOptions({ runId }));
  const base = run.data?.run.document as GraphDocument | undefined;
  const [edits, setEdits] = useState<Edits>({});
  const [selected, setSelected] = useState<string | null>(null);
  const changes = useMemo(() => Object.values(edits).map((c) => ({ ...c, value: wireValue(c.value) })), [edits]);
  const local = useMemo(() => (base ? applyParamChanges(base, changes) : null), [base, changes]);
  // Training nodes first: they are what people rerun with other settings.
  const nodes = useMemo(() => {
    const all = base?.nodes ?? [];
    const rank = (type: string) => (['fine-tune', 'dapt', 'distill', 'lora', 'freeze'].includes(type) ? 0 : 1);
    return [...all].sort((a, b) => rank(a.type) - rank(b.type));
  }, [base]);
  useEffect(() => {
    if (!selected && nodes.length > 0) setSelected(nodes[0].id);
  }, [nodes, selected]);

  // The server's plan for the current edits, asked once typing pauses and only for edits that check out here.
  const [planned, setPlanned] = useState(changes);
  useEffect(() => {
    const t = setTimeout(() => setPlanned(changes), 300);
    return () => clearTimeout(t);
  }, [changes]);
  const localOk = !!local && local.issues.length === 0;
  const plan = useQuery({ ...trpc.reruns.plan.queryOptions({ runId, changes: planned as { nodeId: string; param: string; value: number | string | boolean | null }[] }), enabled: localOk && !!base, placeholderData: (prev) => prev });
  // What "auto" params will resolve to for the edited graph (the editor's check, a POST with the document).
  const checked = useQuery({
    queryKey: ['rerun.check', runId, planned],
    queryFn: () => checkOnServer(client, local!.document),
    enabled: localOk && !!base,
    placeholderData: (prev) => prev,
    staleTime: 60_000,
  });
  const start = useMutation(trpc.reruns.start.mutationOptions({ onSuccess: (s) => onStarted({ runId: s.runId, version: s.version, message: s.message }) }));

  const node = base?.nodes.find((n) => n.id === selected);
  const edited = local?.document.nodes.find((n) => n.id === selected);
  const def = node ? getNodeDefinition(node.type) : undefined;
  const editedNodes = new Set((local?.applied ?? []).map((a) => a.nodeId));
  const canStart = canRun && localOk && (local?.applied.length ?? 0) > 0 && !start.isPending;

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/30 p-6" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div data-testid="rerun-dialog" role="dialog" aria-label="Rerun with changes" className="flex max-h-[88vh] w-[1080px] max-w-full flex-col rounded-lg bg-white shadow-2xl">
        <header className="flex items-baseline gap-3 border-b border-neutral-200 px-5 py-3">
          <h2 className="text-base font-semibold">Rerun with changes</h2>
          <span className="text-xs text-neutral-500">
            from run <span className="font-mono">{shortRunId(runId)}</span>
            {run.data?.run.graphVersion ? ` (version ${run.data.run.graphVersion})` : ''} — its graph and params as they ran
          </span>
          <button onClick={onClose} className="ml-auto h-7 w-7 rounded text-neutral-500 hover:bg-neutral-100" aria-label="Close">✕</button>
        </header>
        {run.error && <p role="alert" className="p-5 text-sm text-red-700">{run.error.message}</p>}
        {base && (
          <div className="grid min-h-0 flex-1 grid-cols-[200px_1fr_300px] gap-0 overflow-hidden">
            <nav className="overflow-y-auto border-r border-neutral-200 p-2" aria-label="Nodes of the run">
              {nodes.map((n) => (
                <button
                  key={n.id}
                  data-testid={`rerun-node-${n.id}`}
                  onClick={() => setSelected(n.id)}
                  className={`mb-0.5 flex w-full items-center gap-2 rounded px-2 py-1.5 text-left text-xs ${n.id === selected ? 'bg-accent-soft text-accent' : 'hover:bg-neutral-100'}`}
                >
                  <span className="min-w-0 flex-1 truncate">
                    <span className="font-medium">{n.label || getNodeDefinition(n.type)?.title || n.type}</span> <span className="font-mono text-neutral-400">{n.id}</span>
                  </span>
                  {editedNodes.has(n.id) && <span className="h-2 w-2 shrink-0 rounded-full bg-amber-500" title="changed" />}
                  {local?.issues.some((i) => i.nodeId === n.id) && <span className="shrink-0 text-red-600" title="has a problem">!</span>}
                </button>
              ))}
            </nav>
            <section className="min-h-0 overflow-y-auto p-4" data-testid="rerun-params">
              {def && edited && (
                <>
                  <h3 className="mb-1 text-sm font-semibold">{node?.label || def.title} <span className="font-mono text-xs font-normal text-neutral-400">{edited.id}</span></h3>
                  <p className="mb-3 text-[11px] text-neutral-500">{def.description}</p>
                  <ParamForm
                    def={def}
                    params={edited.params}
                    issues={(local?.issues ?? []).filter((i) => i.nodeId === edited.id)}
                    resolved={checked.data?.resolved[edited.id]}
                    onChange={(param, value) => setEdits((e) => ({ ...e, [editKey(edited.id, param)]: { nodeId: edited.id, param, value } }))}
                  />
                </>
              )}
            </section>
            <aside className="flex min-h-0 flex-col gap-3 overflow-y-auto border-l border-neutral-200 bg-neutral-50 p-4 text-xs">
              <div>
                <h3 className="mb-1 font-semibold">Changes</h3>
                {(local?.applied.length ?? 0) === 0 ? (
                  <p className="text-neutral-500">None yet: change a param.</p>
                ) : (
                  <ul data-testid="rerun-changes" className="space-y-0.5">
                    {local!.applied.map((a) => (
                      <li key={editKey(a.nodeId, a.param)} data-testid="rerun-change" className="font-mono">
                        {a.nodeId}.{a.param} {formatParamValue(a.before)} → {formatParamValue(a.after)}
                      </li>
                    ))}
                  </ul>
                )}
                {(local?.issues.length ?? 0) > 0 && (
                  <ul className="mt-2 space-y-0.5" data-testid="rerun-issues">
                    {local!.issues.map((i, k) => <li key={k} className="text-red-700">{i.nodeId}: {i.message}</li>)}
                  </ul>
                )}
              </div>
              <div>
                <h3 className="mb-1 font-semibold">What runs</h3>
                {!localOk ? (
                  <p className="text-neutral-500">Fix the problems to see which stages rerun.</p>
                ) : plan.error ? (
                  <p className="text-red-700">{plan.error.message}</p>
                ) : (
                  <ul data-testid="rerun-stages" className="space-y-1" data-for={JSON.stringify(planned) === JSON.stringify(changes) ? 'current' : 'stale'}>
                    {plan.data?.stages.map((s) => (
                      <li key={s.nodeId} data-testid={`rerun-stage-${s.nodeId}`} data-action={s.action} className="flex items-baseline gap-2">
                        <span className={`w-14 shrink-0 rounded px-1 text-center text-[10px] font-semibold uppercase ${s.action === 'reuse' ? 'bg-violet-100 text-violet-800' : 'bg-blue-100 text-blue-800'}`}>{s.action === 'reuse' ? 'cached' : 'runs'}</span>
                        <span className="min-w-0">
                          <span className="font-mono">{s.nodeId}</span> <span className="text-neutral-500">{s.reason}</span>
                        </span>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
            </aside>
          </div>
        )}
        <footer className="flex items-center gap-3 border-t border-neutral-200 px-5 py-3 text-xs">
          <span className="min-w-0 flex-1 truncate text-neutral-500" data-testid="rerun-message" title={plan.data?.message}>
            {localOk && (local?.applied.length ?? 0) > 0 ? <>Saves version “{plan.data?.message ?? '…'}” and runs it.</> : canRun ? 'Nothing to rerun yet.' : 'Your role on this graph cannot run it.'}
          </span>
          {start.error && <span role="alert" data-testid="rerun-error" className="max-w-md text-red-700">{start.error.message}</span>}
          <button onClick={onClose} className="h-8 rounded-md px-3 text-neutral-600 hover:bg-neutral-100">Cancel</button>
          <button
            data-testid="rerun-start"
            disabled={!canStart}
            onClick={() => start.mutate({ runId, changes: changes as { nodeId: string; param: string; value: number | string | boolean | null }[] })}
            className="h-8 rounded-md bg-emerald-600 px-3 font-medium text-white hover:opacity-90 disabled:opacity-40"
          >
            {start.isPending ? 'Starting…' : '▶ Save version and rerun'}
          </button>
        </footer>
      </div>
    </div>
  );
}
