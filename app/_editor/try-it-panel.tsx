'use client';
// "Try it": type text, see what the trained model says — the label with every class's probability,
// or a tag per word. The prediction runs the node's real model on the server.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../_lib/trpc';

export function TryItPanel({ runId, nodeId, ready }: { runId: string; nodeId: string; ready: boolean }) {
  const trpc = useTRPC();
  const [text, setText] = useState('');
  const predict = useMutation(trpc.models.predict.mutationOptions());
  const result = predict.data;
  const submit = () => text.trim() && predict.mutate({ runId, nodeId, text });
  return (
    <section data-testid="try-it" className="border-b border-neutral-100 px-4 py-3 text-xs">
      <h3 className="mb-1 text-[11px] font-semibold uppercase tracking-wide text-neutral-500">Try it</h3>
      {!ready && <p className="mb-2 text-neutral-500">Run the graph to try this model; until then there is nothing trained to ask.</p>}
      <textarea
        data-testid="try-it-text"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) submit();
        }}
        rows={3}
        placeholder="Type a sentence…"
        className="w-full resize-y rounded-md border border-neutral-300 px-2 py-1.5 text-sm outline-none focus:border-accent"
      />
      <button
        data-testid="try-it-predict"
        onClick={submit}
        disabled={!text.trim() || predict.isPending}
        className="mt-1.5 h-7 w-full rounded-md bg-accent text-xs font-medium text-white hover:opacity-90 disabled:opacity-40"
        title="Ctrl+Enter"
      >
        {predict.isPending ? 'Predicting…' : 'Predict'}
      </button>
      {predict.error && <p data-testid="try-it-error" className="mt-2 text-red-700">{predict.error.message}</p>}
      {result?.task === 'sequence' && (
        <div data-testid="try-it-result" className="mt-2">
          <div className="mb-1.5 text-sm">
            Predicted <span data-testid="try-it-label" className="rounded bg-accent-soft px-1.5 py-0.5 font-semibold text-accent">{result.label}</span>
          </div>
          <ul className="space-y-1">
            {result.probabilities.map((p) => (
              <li key={p.label} data-testid="try-it-class" data-label={p.label} data-probability={p.probability} className="flex items-center gap-2">
                <span className="w-20 truncate text-neutral-700" title={p.label}>{p.label}</span>
                <span className="h-2 flex-1 rounded bg-neutral-100">
                  <span className="block h-2 rounded bg-accent" style={{ width: `${(100 * p.probability).toFixed(1)}%` }} />
                </span>
                <span className="w-12 text-right font-mono text-neutral-600">{(100 * p.probability).toFixed(1)}%</span>
              </li>
            ))}
          </ul>
          {result.truncated && <p className="mt-1 text-amber-700">Only the first {result.tokens} tokens were read (the model&apos;s limit).</p>}
        </div>
      )}
      {result?.task === 'token' && (
        <div data-testid="try-it-result" className="mt-2 flex flex-wrap gap-1">
          {result.words.map((w, i) => (
            <span key={i} data-testid="try-it-token" className="inline-flex flex-col items-center rounded border border-neutral-200 px-1.5 py-0.5" title={`${(100 * w.probability).toFixed(1)}%`}>
              <span className="text-neutral-800">{w.word}</span>
              <span className="font-mono text-[10px] font-semibold text-accent">{w.tag}</span>
            </span>
          ))}
          {result.truncated && <p className="mt-1 w-full text-amber-700">Later words were cut (the model&apos;s limit).</p>}
        </div>
      )}
    </section>
  );
}
