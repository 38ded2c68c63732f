'use client';
import type { ReactNode } from 'react';
// The left-hand palette: node types grouped by category, with search; drag onto the canvas or double-click to add.
import { useMemo, useState } from 'react';
import { NODE_CATEGORIES, nodeDefinitions, PORT_TYPE_COLOR } from '../../graph-nodes';
import { CATEGORY_COLOR } from './category-style';

export const DRAG_MIME = 'application/x-tunegraph-node';

export function Palette({ onAdd, footer }: { onAdd: (type: string) => void; footer?: ReactNode }) {
  const [query, setQuery] = useState('');
  const groups = useMemo(() => {
    const q = query.trim().toLowerCase();
    const match = nodeDefinitions.filter((d) => !q || `${d.title} ${d.type} ${d.description} ${d.category}`.toLowerCase().includes(q));
    return NODE_CATEGORIES.map((c) => ({ category: c, defs: match.filter((d) => d.category === c) })).filter((g) => g.defs.length > 0);
  }, [query]);
  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-neutral-200 bg-white">
      <div className="border-b border-neutral-100 p-3">
        <input
          data-testid="palette-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
          placeholder="Search stages…"
          className="h-8 w-full rounded-md border border-neutral-300 px-2 text-sm outline-none focus:border-accent"
        />
      </div>
      <div className="flex-1 overflow-y-auto p-2">
        {groups.map(({ category, defs }) => (
          <section key={category} className="mb-3">
            <h3 className="px-2 pb-1 text-[10px] font-semibold uppercase tracking-wider" style={{ color: CATEGORY_COLOR[category] }}>{category}</h3>
            {defs.map((d) => (
              <div
                key={d.type}
                data-testid={`palette-${d.type}`}
                draggable
                onDragStart={(e) => {
                  e.dataTransfer.setData(DRAG_MIME, d.type);
                  e.dataTransfer.effectAllowed = 'move';
                }}
                onDoubleClick={() => onAdd(d.type)}
                onKeyDown={(e) => e.key === 'Enter' && onAdd(d.type)}
                tabIndex={0}
                title={d.description}
                className="group cursor-grab rounded-md px-2 py-1.5 text-sm hover:bg-neutral-100 active:cursor-grabbing"
              >
                <div className="flex items-center justify-between gap-2">
                  <span className="font-medium text-neutral-800">{d.title}</span>
                  <span className="flex gap-0.5">
                    {Object.values(d.outputs).map((p, i) => <span key={i} className="h-2 w-2 rounded-full" style={{ background: PORT_TYPE_COLOR[p.type] }} />)}
                  </span>
                </div>
                <p className="line-clamp-2 text-[11px] leading-snug text-neutral-500">{d.description}</p>
              </div>
            ))}
          </section>
        ))}
        {groups.length === 0 && <p className="p-2 text-xs text-neutral-500">No stage matches “{query}”.</p>}
      </div>
      {footer}
    </aside>
  );
}
