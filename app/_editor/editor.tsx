'use client';
// The graph editor: palette, canvas, inspector, issues, toolbar (save, versions, import/export,
// undo/redo, layout) and keyboard shortcuts. It owns the document and its history.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ReactFlowProvider, useReactFlow } from '@xyflow/react';
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { getNodeDefinition, type GraphDocument } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';
import { readGraphDocument } from '../../runtime/compile/read-graph';
import { validateGraph } from '../../runtime/compile/validate';
import { downloadText } from '../_lib/format';
import { useTRPC, useTRPCClient } from '../_lib/trpc';
import { nodesMatchingRun, type NodeRunState } from '../_lib/run-state';
import { checkOnServer, mergeIssues, type ServerCheck } from '../_lib/check-graph';
import { Canvas, OverviewMap, useReadableFit } from './canvas';
import { addEdge, addNode, copySelection, moveNodes, paste, removeItems, setLabel, setParam, type Clip } from './graph-ops';
import { commit, commitFrom, initHistory, redo, replace, undo, type History } from './history';
import { Inspector } from './inspector';
import { IssuesPanel } from './issues-panel';
import { autoLayout } from './layout';
import { Palette } from './palette';
import { ShortcutHelp } from './shortcut-help';
import { RunPanel } from './run-panel';
import { SweepButton } from '../_teams/sweep-dialog';
import { useRun } from '../_lib/use-run';
import { TeamBar } from '../_teams/team-bar';
import { LinkedMessage } from '../_teams/linked-message';
import { RunActions } from '../_teams/run-actions';
import { installLeaveGuard } from '../_lib/leave-guard';
import { roleAllows, type Role } from '../../server/auth/roles';

interface LoadedGraph {
  id: string;
  name: string;
  version: number;
  latestVersion: number;
  document: GraphDocument;
  /** The caller's role on the graph (viewers cannot save or run). */
  role: Role;
}

/** Loads a graph (latest or a chosen version) and mounts a fresh editor for it. */
export function GraphEditor({ graphId }: { graphId: string }) {
  const trpc = useTRPC();
  const [pick, setPick] = useState<{ version?: number; token: number }>({ token: 0 });
  // Never refetched while open (a refetch must not replace the document being edited), and dropped
  // as soon as the editor closes: a cached copy would reopen the graph as it was before the last save.
  const graph = useQuery({ ...trpc.graphs.get.queryOptions({ graphId, version: pick.version }), staleTime: Infinity, gcTime: 0 });
  if (graph.error) {
    return (
      <div className="p-8 text-sm">
        <p className="text-red-700" role="alert">{graph.error.message}</p>
        <Link href="/graphs" className="mt-2 inline-block text-accent">Back to graphs</Link>
      </div>
    );
  }
  if (!graph.data) return <div className="p-8 text-sm text-neutral-500">Loading graph…</div>;
  return (
    <ReactFlowProvider>
      <EditorLoaded key={pick.token} initial={graph.data} onOpenVersion={(version) => setPick((p) => ({ version, token: p.token + 1 }))} />
    </ReactFlowProvider>
  );
}

/** The run state that decides whether a node can be tried: its own for a model-making node; for a
 * node that only takes a model (Eval, Export), the state of the node whose model is wired into it. */
function modelStateFor(doc: GraphDocument, nodeId: string, runNodes: Record<string, NodeRunState>): NodeRunState | undefined {
  const node = doc.nodes.find((n) => n.id === nodeId);
  const def = node && getNodeDefinition(node.type);
  if (!def || Object.values(def.outputs).some((p) => p.type === 'Model')) return runNodes[nodeId];
  const port = Object.entries(def.inputs).find(([, p]) => p.type === 'Model')?.[0];
  const edge = port ? doc.edges.find((e) => e.target === nodeId && e.targetPort === port) : undefined;
  return edge ? runNodes[edge.source] : runNodes[nodeId];
}

function isTyping(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || el.isContentEditable);
}

function EditorLoaded({ initial, onOpenVersion }: { initial: LoadedGraph; onOpenVersion: (version: number) => void }) {
  const trpc = useTRPC();
  const trpcClient = useTRPCClient();
  const queryClient = useQueryClient();
  const flow = useReactFlow();
  const [history, setHistory] = useState<History>(() => initHistory(initial.document));
  const doc = history.present;
  const [savedJson, setSavedJson] = useState(() => JSON.stringify(initial.document));
  const [viewing, setViewing] = useState(initial.version < initial.latestVersion ? initial.version : null);
  const [name, setName] = useState(initial.name);
  const [selectedNodes, setSelectedNodes] = useState<Set<string>>(new Set());
  const [selectedEdges, setSelectedEdges] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState('');
  const [toast, setToast] = useState<{ kind: 'refused' | 'error' | 'ok'; text: string } | null>(null);
  const [showHelp, setShowHelp] = useState(false);
  const clipboard = useRef<Clip | null>(null);
  const dragBase = useRef<GraphDocument | null>(null);
  const importInput = useRef<HTMLInputElement>(null);
  const [runId, setRunId] = useState<string | null>(null);
  const [showRun, setShowRun] = useState(false);
  const run = useRun(runId);

  // Live validation, debounced so typing stays smooth.
  const [localIssues, setLocalIssues] = useState<CompileIssue[]>(() => validateGraph(initial.document));
  useEffect(() => {
    const t = setTimeout(() => setLocalIssues(validateGraph(doc)), 150);
    return () => clearTimeout(t);
  }, [doc]);
  // The server's check adds what needs the disk (uploaded columns, model configs) and the values
  // "auto" params resolve to; it answers for the document it was sent, stale answers are dropped.
  const [server, setServer] = useState<{ doc: GraphDocument; check: ServerCheck } | null>(null);
  useEffect(() => {
    let live = true;
    const t = setTimeout(() => {
      checkOnServer(trpcClient, doc).then(
        (check) => live && setServer({ doc, check }),
        () => live && setServer(null),
      );
    }, 400);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [doc, trpcClient]);
  const resolved = useMemo(() => server?.check.resolved ?? {}, [server]);
  const issues = useMemo(() => (server && server.doc === doc ? mergeIssues(localIssues, server.check.issues) : localIssues), [localIssues, server, doc]);
  const issuesByNode = useMemo(() => {
    const m = new Map<string, CompileIssue[]>();
    for (const i of issues) if (i.nodeId) m.set(i.nodeId, [...(m.get(i.nodeId) ?? []), i]);
    return m;
  }, [issues]);

  // Undo, redo and import can remove selected nodes and edges. React Flow never reports a node it no
  // longer has as deselected, so such ids would stay selected for good ("2 nodes selected" after one click).
  useEffect(() => {
    const nodeIds = new Set(doc.nodes.map((n) => n.id));
    const edgeIds = new Set(doc.edges.map((e) => e.id));
    const prune = (ids: Set<string>, live: Set<string>) => ([...ids].every((id) => live.has(id)) ? ids : new Set([...ids].filter((id) => live.has(id))));
    setSelectedNodes((s) => prune(s, nodeIds));
    setSelectedEdges((s) => prune(s, edgeIds));
  }, [doc]);

  useEffect(() => {
    if (!toast) return;
    const t = setTimeout(() => setToast(null), toast.kind === 'error' ? 8000 : 4000);
    return () => clearTimeout(t);
  }, [toast]);

  // Serialised once per document change, not on every render (drags re-render many times).
  const dirty = useMemo(() => JSON.stringify(doc) !== savedJson, [doc, savedJson]);
  // Unsaved edits: closing the tab, a link, Back/Forward or a router.push elsewhere asks first.
  useEffect(() => (dirty ? installLeaveGuard() : undefined), [dirty]);

  const versions = useQuery(trpc.graphs.versions.queryOptions({ graphId: initial.id }));
  // The newest version this editor knows; a save on it is refused (conflict) if someone else saved since.
  const [baseVersion, setBaseVersion] = useState(initial.latestVersion);
  const readOnly = !roleAllows(initial.role, 'write');
  const save = useMutation(
    trpc.graphs.save.mutationOptions({
      onSuccess: ({ version }, vars) => {
        setBaseVersion(version);
        setSavedJson(JSON.stringify(vars.document));
        setViewing(null);
        setMessage('');
        setToast({ kind: 'ok', text: `Saved version ${version}` });
        void queryClient.invalidateQueries({ queryKey: trpc.graphs.versions.queryKey({ graphId: initial.id }) });
        void queryClient.invalidateQueries({ queryKey: trpc.graphs.list.queryKey() });
      },
      onError: (e) => setToast({ kind: 'error', text: e.message }),
    }),
  );
  const rename = useMutation(
    trpc.graphs.rename.mutationOptions({
      onSuccess: () => void queryClient.invalidateQueries({ queryKey: trpc.graphs.list.queryKey() }),
      onError: (e) => setToast({ kind: 'error', text: e.message }),
    }),
  );
  const runs = useQuery(trpc.runs.list.queryOptions({ graphId: initial.id }));
  const refreshRuns = () => void queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey({ graphId: initial.id }) });
  const startRun = useMutation(
    trpc.runs.start.mutationOptions({
      onSuccess: ({ runId: id }) => {
        setRunId(id);
        setShowRun(true);
        refreshRuns();
      },
      onError: (e) => setToast({ kind: 'error', text: e.message }),
    }),
  );
  // A rerun saved a new version: open it (with its run) unless there are edits here to keep.
  const rerunStarted = async ({ runId: id, version }: { runId: string; version: number }) => {
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.runs.list.queryKey({ graphId: initial.id }) }),
      queryClient.invalidateQueries({ queryKey: trpc.graphs.versions.queryKey({ graphId: initial.id }) }),
    ]);
    if (!dirty) return onOpenVersion(version);
    setRunId(id);
    setShowRun(true);
    setToast({ kind: 'ok', text: `Rerun started from version ${version}; your unsaved edits are still here.` });
  };
  const cancelRun = useMutation(trpc.runs.cancel.mutationOptions({ onSuccess: refreshRuns, onError: (e) => setToast({ kind: 'error', text: e.message }) }));
  const runDoc = (mode: 'all' | 'to' | 'from', nodeId?: string) => startRun.mutate({ graphId: initial.id, document: doc, mode, nodeId });
  // Open the latest run of this graph once history loads, so a reload shows where things stand.
  const openedLatest = useRef(false);
  useEffect(() => {
    if (!openedLatest.current && runs.data && runs.data.length > 0) {
      openedLatest.current = true;
      const latest = runs.data[0];
      setRunId((r) => r ?? latest.id);
      // A run still in progress reopens its panel after a reload.
      if (latest.status === 'queued' || latest.status === 'running') setShowRun(true);
    }
  }, [runs.data]);
  useEffect(() => {
    // Every change of the run's status shows in the history picker (queued → running → done).
    if (run.status !== 'unknown') refreshRuns();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.status]);
  // Stale marking: nodes whose current settings have no finished result in this workspace.
  const [stateDoc, setStateDoc] = useState(doc);
  useEffect(() => {
    const t = setTimeout(() => setStateDoc(doc), 400);
    return () => clearTimeout(t);
  }, [doc]);
  // POST, not GET: the whole document travels (a GET URL overflows at a few dozen nodes).
  const nodeState = useQuery({
    queryKey: ['runs.nodeState', initial.id, stateDoc],
    queryFn: () => trpcClient.runs.nodeState.mutate({ graphId: initial.id, document: stateDoc }),
    enabled: (runs.data?.length ?? 0) > 0,
    placeholderData: (prev) => prev,
  });
  useEffect(() => {
    if (run.status === 'done' || run.status === 'failed' || run.status === 'cancelled') void queryClient.invalidateQueries({ queryKey: ['runs.nodeState'] });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [run.status]);
  const currentKeys = useMemo(() => {
    const nodes = nodeState.data?.nodes;
    return nodes ? Object.fromEntries(Object.entries(nodes).map(([id, st]) => [id, st.key])) : undefined;
  }, [nodeState.data]);
  // Badges show the run on screen for nodes whose settings still give the key the run computed,
  // so a finished node says DONE during and after the run, and an edited one stops claiming it.
  const runNodes = useMemo(() => nodesMatchingRun(run, currentKeys), [run, currentKeys]);
  // Stale: no finished result for the node's current settings, and the run on screen does not cover it.
  const staleNodes = useMemo(() => {
    const out = new Set<string>();
    for (const [id, st] of Object.entries(nodeState.data?.nodes ?? {})) if (!st.lastStatus && !runNodes[id]) out.add(id);
    return out;
  }, [nodeState.data, runNodes]);

  // Export zips of the run on screen; asked again whenever one of its Export nodes finishes.
  const exportsDone = Object.entries(run.nodes).filter(([id, st]) => (st.status === 'done' || st.status === 'cached') && doc.nodes.some((n) => n.id === id && n.type === 'export')).length;
  const exportZips = useQuery({ ...trpc.models.exports.queryOptions({ runId: runId ?? '' }), enabled: !!runId && exportsDone > 0 });
  useEffect(() => {
    if (runId && exportsDone > 0) void queryClient.invalidateQueries({ queryKey: trpc.models.exports.queryKey({ runId }) });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runId, exportsDone]);
  const downloads = useMemo(() => Object.fromEntries((exportZips.data ?? []).filter((z) => runNodes[z.nodeId]).map((z) => [z.nodeId, z])), [exportZips.data, runNodes]);

  const apply = useCallback((next: (d: GraphDocument) => GraphDocument, key?: string) => setHistory((h) => commit(h, next(h.present), key)), []);
  const doSave = useCallback(() => save.mutate({ graphId: initial.id, document: doc, message, baseVersion }), [save, initial.id, doc, message, baseVersion]);

  const addAtCentre = useCallback(
    (type: string) => {
      const rect = document.querySelector('[data-testid="canvas"]')?.getBoundingClientRect();
      const centre = flow.screenToFlowPosition({ x: (rect?.left ?? 0) + (rect?.width ?? 800) / 2, y: (rect?.top ?? 0) + (rect?.height ?? 600) / 2 });
      const jitter = (doc.nodes.length % 5) * 24;
      setHistory((h) => {
        const { doc: next, id } = addNode(h.present, type, { x: Math.round(centre.x - 110 + jitter), y: Math.round(centre.y - 50 + jitter) });
        setSelectedNodes(new Set([id]));
        return commit(h, next);
      });
    },
    [flow, doc.nodes.length],
  );

  const deleteSelection = useCallback(() => {
    if (selectedNodes.size === 0 && selectedEdges.size === 0) return;
    apply((d) => removeItems(d, selectedNodes, selectedEdges));
    setSelectedNodes(new Set());
    setSelectedEdges(new Set());
  }, [apply, selectedNodes, selectedEdges]);

  // Fit once React Flow has taken in the new positions (it updates its store in an effect).
  const readableFit = useReadableFit();
  const fitSoon = useCallback(() => {
    setTimeout(() => requestAnimationFrame(() => readableFit()), 120);
  }, [readableFit]);
  // The run panel takes the lower part of the canvas; fit again so it hides no node.
  useEffect(() => {
    if (showRun) fitSoon();
  }, [showRun, fitSoon]);

  const layout = useCallback(() => {
    const sizes = new Map(flow.getNodes().map((n) => [n.id, n.measured as { width: number; height: number } | undefined]));
    apply((d) => moveNodes(d, autoLayout(d, sizes)));
    fitSoon();
  }, [apply, fitSoon, flow]);

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      const mod = e.metaKey || e.ctrlKey;
      if (mod && e.key.toLowerCase() === 's') {
        e.preventDefault();
        doSave();
        return;
      }
      if (isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (mod && key === 'z' && !e.shiftKey) {
        e.preventDefault();
        setHistory(undo);
      } else if ((mod && key === 'z' && e.shiftKey) || (mod && key === 'y')) {
        e.preventDefault();
        setHistory(redo);
      } else if (mod && key === 'c') {
        clipboard.current = copySelection(doc, selectedNodes);
      } else if (mod && key === 'v' && clipboard.current && clipboard.current.nodes.length > 0) {
        e.preventDefault();
        const clip = clipboard.current;
        setHistory((h) => {
          const { doc: next, ids } = paste(h.present, clip);
          setSelectedNodes(new Set(ids));
          setSelectedEdges(new Set());
          return commit(h, next);
        });
        // Paste again further along, not on top of the first paste.
        clipboard.current = { ...clip, nodes: clip.nodes.map((n) => ({ ...n, position: { x: n.position.x + 40, y: n.position.y + 40 } })) };
      } else if (mod && key === 'a') {
        e.preventDefault();
        setSelectedNodes(new Set(doc.nodes.map((n) => n.id)));
      } else if (key === 'delete' || key === 'backspace') {
        e.preventDefault();
        deleteSelection();
      } else if (key === 'l' && e.shiftKey) {
        layout();
      } else if (key === 'f' && !mod) {
        readableFit();
      } else if (key === '?') {
        setShowHelp((s) => !s);
      } else if (key === 'escape') {
        setSelectedNodes(new Set());
        setSelectedEdges(new Set());
        setShowHelp(false);
      }
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [doc, selectedNodes, deleteSelection, doSave, layout, readableFit]);

  async function importIntoGraph(file: File | undefined) {
    if (!file) return;
    try {
      const { document, notes } = readGraphDocument(await file.text(), file.name);
      setHistory((h) => commit(h, document));
      setSelectedNodes(new Set());
      setToast({ kind: 'ok', text: `Imported ${file.name}${notes.length ? ` (${notes.join('; ')})` : ''}. Save to keep it.` });
      fitSoon();
    } catch (err) {
      setToast({ kind: 'error', text: (err as Error).message });
    }
    if (importInput.current) importInput.current.value = '';
  }

  const selectedNode = selectedNodes.size === 1 ? doc.nodes.find((n) => selectedNodes.has(n.id)) : undefined;

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex min-h-12 shrink-0 flex-wrap items-center gap-x-2 gap-y-1 border-b border-neutral-200 bg-white px-3 py-1.5 text-sm">
        <Link href="/graphs" className="text-neutral-500 hover:text-neutral-900">Graphs</Link>
        <span className="text-neutral-300">/</span>
        <input
          data-testid="graph-name"
          title={name}
          value={name}
          onChange={(e) => setName(e.target.value)}
          onBlur={() => name.trim() && name.trim() !== initial.name && rename.mutate({ graphId: initial.id, name })}
          onKeyDown={(e) => e.key === 'Enter' && (e.target as HTMLInputElement).blur()}
          className="h-8 w-36 min-w-0 rounded-md border border-transparent px-2 font-medium 2xl:w-48 hover:border-neutral-200 focus:border-accent focus:outline-none"
        />
        {dirty ? (
          <span data-testid="unsaved" title="This graph has changes that are not saved yet" className="whitespace-nowrap text-xs text-amber-600">● Unsaved</span>
        ) : (
          <span data-testid="saved-state" className="text-xs text-neutral-400">Saved</span>
        )}
        <div className="ml-auto flex flex-wrap items-center justify-end gap-1 2xl:gap-1.5">
          <button title="Undo (Ctrl+Z)" data-testid="undo" disabled={history.past.length === 0} onClick={() => setHistory(undo)} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100 disabled:opacity-30">↶</button>
          <button title="Redo (Ctrl+Shift+Z)" data-testid="redo" disabled={history.future.length === 0} onClick={() => setHistory(redo)} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100 disabled:opacity-30">↷</button>
          <button title="Auto-layout (Shift+L)" data-testid="auto-layout" onClick={layout} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100">Layout</button>
          <button title="Zoom out" data-testid="zoom-out" onClick={() => void flow.zoomOut({ duration: 150 })} className="hidden h-8 w-7 rounded-md text-neutral-600 hover:bg-neutral-100 2xl:block">−</button>
          <button title="Zoom in" data-testid="zoom-in" onClick={() => void flow.zoomIn({ duration: 150 })} className="hidden h-8 w-7 rounded-md text-neutral-600 hover:bg-neutral-100 2xl:block">+</button>
          <button title="Fit view (F)" data-testid="fit-view" onClick={() => readableFit()} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100">Fit</button>
          <span className="mx-0.5 h-5 w-px bg-neutral-200" />
          <TeamBar graphId={initial.id} role={initial.role} version={initial.latestVersion} />
          <select
            data-testid="version-picker"
          title="The version on screen (older ones open read-write; saving makes them the newest)"
            value={viewing ?? ''}
            onChange={(e) => {
              if (dirty && !window.confirm('Discard unsaved changes and open another version?')) return;
              onOpenVersion(e.target.value ? Number(e.target.value) : (versions.data?.[0]?.version ?? initial.latestVersion));
            }}
            className="h-8 w-28 rounded-md border border-neutral-300 bg-white px-2 text-xs 2xl:w-40"
          >
            <option value="">Latest</option>
            {versions.data?.map((v) => (
              <option key={v.version} value={v.version}>v{v.version}{v.message ? ` — ${v.message.slice(0, 40)}` : ''}</option>
            ))}
          </select>
          <button onClick={() => downloadText(`${name.toLowerCase().replace(/[^a-z0-9]+/g, '-') || 'graph'}.json`, JSON.stringify(doc, null, 2) + '\n')} data-testid="export-json" className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100">Export</button>
          <label className="flex h-8 cursor-pointer items-center rounded-md px-2 text-neutral-600 hover:bg-neutral-100">
            Import
            <input ref={importInput} data-testid="import-into-graph" type="file" accept=".json,application/json" className="hidden" onChange={(e) => void importIntoGraph(e.target.files?.[0])} />
          </label>
          <span className="mx-0.5 h-5 w-px bg-neutral-200" />
          <button
            data-testid="run"
            onClick={() => runDoc('all')}
            disabled={startRun.isPending || issues.length > 0 || readOnly}
            title={issues.length > 0 ? 'Fix the problems first' : 'Run the whole graph (cached results are reused)'}
            className="h-8 whitespace-nowrap rounded-md bg-emerald-600 px-3 font-medium text-white hover:opacity-90 disabled:opacity-40"
          >
            ▶ Run
          </button>
          <button data-testid="toggle-run-panel" onClick={() => setShowRun((v) => !v)} disabled={!runId} className="h-8 rounded-md px-2 text-neutral-600 hover:bg-neutral-100 disabled:opacity-30">Runs</button>
          <span className="mx-0.5 h-5 w-px bg-neutral-200" />
          <input data-testid="save-message" value={message} onChange={(e) => setMessage(e.target.value)} onKeyDown={(e) => e.key === 'Enter' && doSave()} placeholder="Version message" title="Version message (optional)" className="h-8 w-28 min-w-0 2xl:w-44 rounded-md border border-neutral-300 px-2 text-xs outline-none focus:border-accent" />
          <button data-testid="save" onClick={doSave} disabled={save.isPending || readOnly} className="h-8 rounded-md bg-accent px-3 font-medium text-white hover:opacity-90 disabled:opacity-50">
            {save.isPending ? 'Saving…' : 'Save'}
          </button>
          <button onClick={() => setShowHelp((s) => !s)} title="Keyboard shortcuts (?)" className="h-8 w-8 rounded-md text-neutral-500 hover:bg-neutral-100">?</button>
        </div>
      </div>
      {viewing !== null && (
        <div data-testid="viewing-banner" className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-800">
          Viewing version {viewing} of {versions.data?.[0]?.version ?? initial.latestVersion}. Saving makes this the newest version; history is kept.
        </div>
      )}
      <div className="flex min-h-0 flex-1">
        <Palette onAdd={addAtCentre} footer={<OverviewMap />} />
        <div className="flex min-w-0 flex-1 flex-col">
        <IssuesPanel
          issues={issues}
          onPick={(nodeId) => {
            setSelectedNodes(new Set([nodeId]));
            const n = doc.nodes.find((x) => x.id === nodeId);
            if (n) void flow.setCenter(n.position.x + 110, n.position.y + 60, { zoom: 1, duration: 200 });
          }}
        />
        <div className="relative min-h-0 flex-1">
          <Canvas
            doc={doc}
            selectedNodes={selectedNodes}
            selectedEdges={selectedEdges}
            issuesByNode={issuesByNode}
            runNodes={runId ? runNodes : undefined}
            staleNodes={staleNodes}
            downloads={runId ? downloads : undefined}
            resolved={resolved}
            onSelect={(n, e) => {
              setSelectedNodes(n);
              setSelectedEdges(e);
            }}
            onDropNode={(type, position) =>
              setHistory((h) => {
                const { doc: next, id } = addNode(h.present, type, position);
                setSelectedNodes(new Set([id]));
                return commit(h, next);
              })
            }
            onConnect={(c) => apply((d) => addEdge(d, c))}
            onRefused={(reason) => setToast({ kind: 'refused', text: `Connection refused: ${reason}` })}
            onDragStart={() => {
              dragBase.current = doc;
            }}
            onDragMove={(positions) => setHistory((h) => replace(h, moveNodes(h.present, positions)))}
            onDragEnd={() => {
              const base = dragBase.current;
              dragBase.current = null;
              if (base) setHistory((h) => commitFrom(h, base));
            }}
          />
          {toast && (
            <div
              data-testid={toast.kind === 'refused' ? 'connection-refused' : toast.kind === 'error' ? 'editor-error' : 'editor-notice'}
              role={toast.kind === 'ok' ? 'status' : 'alert'}
              className={`absolute left-1/2 top-3 z-10 max-w-xl -translate-x-1/2 rounded-md px-4 py-2 text-sm shadow-lg ${toast.kind === 'ok' ? 'bg-neutral-900 text-white' : 'bg-red-600 text-white'}`}
            >
              <LinkedMessage text={toast.text} />
            </div>
          )}
          {showHelp && <ShortcutHelp onClose={() => setShowHelp(false)} />}
        </div>
        {showRun && runId && (
          <RunPanel
            view={run}
            runId={runId}
            history={(runs.data ?? []).map((r) => ({ id: r.id, status: r.status, createdAt: r.createdAt }))}
            onPickRun={setRunId}
            sweepHref={(() => {
              const sweepId = runs.data?.find((r) => r.id === runId)?.sweepId;
              return sweepId ? `/graphs/${initial.id}/sweeps/${sweepId}` : undefined;
            })()}
            onCancel={readOnly ? undefined : () => cancelRun.mutate({ runId })}
            onClose={() => setShowRun(false)}
            selectedNodeId={selectedNode?.id}
            downloads={Object.values(downloads)}
            actions={<RunActions graphId={initial.id} runId={runId} runs={runs.data ?? []} canRun={!readOnly} onPickRun={setRunId} onRerunStarted={(s) => void rerunStarted(s)} />}
          />
        )}
        </div>
        <Inspector
          node={selectedNode}
          issues={issues}
          selectedCount={selectedNodes.size}
          onParam={(param, value) => selectedNode && apply((d) => setParam(d, selectedNode.id, param, value), `param:${selectedNode.id}:${param}`)}
          onParams={(values) => selectedNode && apply((d) => Object.entries(values).reduce((acc, [param, value]) => setParam(acc, selectedNode.id, param, value), d))}
          onLabel={(label) => selectedNode && apply((d) => setLabel(d, selectedNode.id, label), `label:${selectedNode.id}`)}
          onRunTo={(id) => runDoc('to', id)}
          onRerunFrom={(id) => runDoc('from', id)}
          canRun={issues.length === 0 && !startRun.isPending}
          runId={runId}
          runState={selectedNode ? modelStateFor(doc, selectedNode.id, runNodes) : undefined}
          resolved={selectedNode ? resolved[selectedNode.id] : undefined}
          actions={selectedNode && <SweepButton graphId={initial.id} node={selectedNode} version={viewing ?? baseVersion} dirty={dirty} readOnly={readOnly} />}
        />
      </div>
    </div>
  );
}
