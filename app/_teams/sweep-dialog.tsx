'use client';
// "Sweep…" on a node: pick one or two of its params, write their values, see the plan (how many runs,
// which stages run once and are shared, which run per point) and start; then open the results table.
import { useMutation } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { getNodeDefinition, GRAPH_SCHEMA_VERSION, type GraphNode } from '../../graph-nodes';
import { MAX_SWEEP_RUNS, parseSweepValues, sweepableParams, sweepProblems, type SweepSpec } from '../../server/sweeps/grid';
import { useTRPC } from '../_lib/trpc';

interface Axis {
  name: string;
  text: string;
}

/** The node's current value of a param (its default when unset), as a starting point for the values field. */
function currentValue(node: GraphNode, name: string): string {
  const parsed = getNodeDefinition(node.type)?.params.safeParse(node.params);
  const v = node.params[name] ?? (parsed?.success ? (parsed.data as Record<string, unknown>)[name] : undefined);
  return v === undefined ? '' : String(v);
}

/** The "Sweep…" button of the inspector and its dialog. `version` is the saved version the sweep runs. */
export function SweepButton({ graphId, node, version, dirty, readOnly }: { graphId: string; node: GraphNode; version: number; dirty: boolean; readOnly: boolean }) {
  const [open, setOpen] = useState(false);
  const sweepable = sweepableParams(node.type);
  if (sweepable.length === 0) return null;
  const why = readOnly ? 'Viewers cannot start runs' : dirty ? 'Save first: a sweep runs a saved version' : `Run a grid of values of this node's params (at most ${MAX_SWEEP_RUNS} runs)`;
  return (
    <>
      <button data-testid="sweep-open" disabled={readOnly || dirty} title={why} onClick={() => setOpen(true)} className="h-7 flex-1 rounded-md border border-neutral-300 text-xs hover:bg-neutral-50 disabled:opacity-40">
        Sweep…
      </button>
      {open && <SweepDialog graphId={graphId} node={node} version={version} onClose={() => setOpen(false)} />}
    </>
  );
}

function SweepDialog({ graphId, node, version, onClose }: { graphId: string; node: GraphNode; version: number; onClose: () => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const def = getNodeDefinition(node.type);
  const sweepable = sweepableParams(node.type);
  const [axes, setAxes] = useState<Axis[]>([{ name: sweepable[0].name, text: currentValue(node, sweepable[0].name) }]);

  const spec: SweepSpec = useMemo(() => ({ nodeId: node.id, params: axes.map((a) => ({ name: a.name, values: parseSweepValues(a.text) })) }), [axes, node.id]);
  // Checked here with the server's own rules, against just this node, so each field gets its message as you type.
  const problems = useMemo(() => {
    const empty = spec.params.filter((p) => p.values.length === 0).map((p) => ({ param: p.name, message: `write the values of ${p.name} separated by commas, e.g. 1e-3, 5e-4` }));
    return [...empty, ...sweepProblems({ schemaVersion: GRAPH_SCHEMA_VERSION, nodes: [node], edges: [] }, spec).filter((p) => !/has no values/.test(p.message))];
  }, [spec, node]);
  const runs = spec.params.reduce((n, p) => n * Math.max(1, p.values.length), 1);

  const plan = useMutation(trpc.sweeps.plan.mutationOptions());
  const start = useMutation(trpc.sweeps.start.mutationOptions({ onSuccess: ({ sweepId }) => router.push(`/graphs/${graphId}/sweeps/${sweepId}`) }));
  const specJson = JSON.stringify(spec);
  useEffect(() => {
    if (problems.length > 0) return;
    // Planned once typing pauses: the plan compiles every point's cache keys on the server (the spec travels as JSON so an equal one does not replan).
    const t = setTimeout(() => plan.mutate({ graphId, version, ...(JSON.parse(specJson) as SweepSpec) }), 350);
    return () => clearTimeout(t);
  }, [specJson, problems.length, graphId, version]);

  const setAxis = (i: number, patch: Partial<Axis>) => setAxes((list) => list.map((a, j) => (j === i ? { ...a, ...patch } : a)));
  const unused = sweepable.filter((p) => !axes.some((a) => a.name === p.name));
  const planData = problems.length === 0 ? plan.data : undefined;

  return (
    <div className="fixed inset-0 z-50 flex items-center justify-center bg-black/30" onClick={onClose}>
      <div role="dialog" aria-label="Sweep" data-testid="sweep-dialog" className="w-[34rem] max-w-[95vw] rounded-lg bg-white p-5 text-sm shadow-xl" onClick={(e) => e.stopPropagation()}>
        <div className="flex items-baseline justify-between">
          <h2 className="text-base font-semibold">Sweep {node.label || def?.title || node.type}</h2>
          <a href={`/graphs/${graphId}/sweeps`} className="text-xs text-accent hover:underline">past sweeps</a>
        </div>
        <p className="mt-1 text-xs text-neutral-500">
          One run per combination of values, on saved version {version}. Stages above this node run once and are shared; this node and everything below it run per point.
        </p>
        <div className="mt-4 flex flex-col gap-3">
          {axes.map((axis, i) => {
            const meta = sweepable.find((p) => p.name === axis.name);
            const own = problems.filter((p) => p.param === axis.name);
            return (
              <div key={i} data-testid={`sweep-axis-${i}`} className="rounded-md border border-neutral-200 p-3">
                <div className="flex items-center gap-2">
                  <select data-testid={`sweep-param-${i}`} value={axis.name} onChange={(e) => setAxis(i, { name: e.target.value, text: currentValue(node, e.target.value) })} className="h-8 rounded-md border border-neutral-300 bg-white px-2 text-xs">
                    {[meta, ...unused].filter((p) => p !== undefined).map((p) => (
                      <option key={p.name} value={p.name}>{p.name}</option>
                    ))}
                  </select>
                  <input
                    data-testid={`sweep-values-${i}`}
                    value={axis.text}
                    onChange={(e) => setAxis(i, { text: e.target.value })}
                    placeholder={meta?.kind === 'choice' ? meta.options?.join(', ') : 'e.g. 1e-3, 5e-4'}
                    aria-invalid={own.length > 0}
                    className={`h-8 min-w-0 flex-1 rounded-md border px-2 font-mono text-xs outline-none ${own.length ? 'border-red-400' : 'border-neutral-300 focus:border-accent'}`}
                  />
                  {axes.length > 1 && (
                    <button data-testid={`sweep-remove-${i}`} onClick={() => setAxes((list) => list.filter((_, j) => j !== i))} className="h-8 w-8 rounded text-neutral-500 hover:bg-neutral-100" title="Sweep one param only">
                      ×
                    </button>
                  )}
                </div>
                <p className="mt-1 text-[11px] text-neutral-500">
                  {meta?.description}
                  {meta?.kind === 'choice' && ` (one of ${meta.options?.join(', ')})`}
                  {meta?.kind === 'number-or-auto' && ' (numbers, or auto)'}
                </p>
                {own.map((p, n) => (
                  <p key={n} data-testid="sweep-value-problem" className="mt-1 text-xs text-red-700">{p.message}</p>
                ))}
              </div>
            );
          })}
          {axes.length < 2 && unused.length > 0 && (
            <button data-testid="sweep-add-param" onClick={() => setAxes((list) => [...list, { name: unused[0].name, text: currentValue(node, unused[0].name) }])} className="self-start text-xs text-accent hover:underline">
              + a second param (grid)
            </button>
          )}
        </div>
        {problems.filter((p) => !p.param).map((p, n) => (
          <p key={n} data-testid="sweep-problem" className="mt-3 text-xs text-red-700">{p.message}</p>
        ))}
        <div data-testid="sweep-plan" className="mt-4 rounded-md bg-neutral-50 p-3 text-xs">
          {problems.length > 0 ? (
            <p className="text-neutral-500">{runs} run{runs === 1 ? '' : 's'} once the values above are fixed.</p>
          ) : plan.error ? (
            <p role="alert" className="text-red-700">{plan.error.message}</p>
          ) : !planData ? (
            <p className="text-neutral-500">Planning {runs} run{runs === 1 ? '' : 's'}…</p>
          ) : (
            <>
              <p data-testid="sweep-plan-summary" className="font-medium">{planData.summary}</p>
              <p className="mt-1 text-neutral-500">
                {planData.computations} stage computation{planData.computations === 1 ? '' : 's'} in all (instead of {planData.runs * (planData.shared.length + planData.perPoint.length)} if every run computed everything).
              </p>
            </>
          )}
        </div>
        {start.error && <p role="alert" className="mt-3 text-xs text-red-700">{start.error.message}</p>}
        <div className="mt-4 flex justify-end gap-2">
          <button onClick={onClose} className="h-8 rounded-md border border-neutral-300 px-3 text-xs hover:bg-neutral-50">Cancel</button>
          <button
            data-testid="sweep-start"
            disabled={!planData || problems.length > 0 || start.isPending || plan.isPending}
            onClick={() => start.mutate({ graphId, version, ...spec })}
            className="h-8 rounded-md bg-accent px-3 text-xs font-medium text-white hover:opacity-90 disabled:opacity-50"
          >
            {start.isPending ? 'Starting…' : planData ? `Start ${planData.runs} runs` : 'Start'}
          </button>
        </div>
      </div>
    </div>
  );
}
