'use client';
// A small Markdown renderer for RESULTS.md (headings, paragraphs, lists, tables, bold, code), so the
// page shows everything the report wrote without a Markdown dependency.
import type { ReactNode } from 'react';

function inline(text: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /(\*\*[^*]+\*\*|`[^`]+`)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const tok = m[0];
    out.push(tok.startsWith('**') ? <strong key={m.index}>{tok.slice(2, -2)}</strong> : <code key={m.index} className="rounded bg-neutral-100 px-1 text-[0.9em]">{tok.slice(1, -1)}</code>);
    last = m.index + tok.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

const cells = (row: string) => row.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());

export function Markdown({ source }: { source: string }) {
  const lines = source.split('\n');
  const blocks: ReactNode[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (!line.trim()) {
      i++;
    } else if (/^#{1,4} /.test(line)) {
      const level = line.indexOf(' ');
      const cls = level === 1 ? 'text-xl font-semibold' : level === 2 ? 'mt-4 text-lg font-semibold' : 'mt-3 font-semibold';
      blocks.push(<div key={i} role="heading" aria-level={level} className={cls}>{inline(line.slice(level + 1))}</div>);
      i++;
    } else if (line.trim().startsWith('|')) {
      const rows: string[] = [];
      while (i < lines.length && lines[i].trim().startsWith('|')) rows.push(lines[i++]);
      const [head, , ...body] = rows;
      blocks.push(
        <table key={i} className="my-2 w-full overflow-hidden rounded-md border border-neutral-200 bg-white text-sm">
          <thead className="bg-neutral-50 text-left text-xs text-neutral-500"><tr>{cells(head).map((c, k) => <th key={k} className="px-3 py-1.5 font-medium">{inline(c)}</th>)}</tr></thead>
          <tbody>{body.map((r, k) => <tr key={k} className="border-t border-neutral-100">{cells(r).map((c, j) => <td key={j} className="px-3 py-1.5">{inline(c)}</td>)}</tr>)}</tbody>
        </table>,
      );
    } else if (/^\s*[-*] /.test(line)) {
      const items: string[] = [];
      while (i < lines.length && /^\s*[-*] /.test(lines[i])) items.push(lines[i++].replace(/^\s*[-*] /, ''));
      blocks.push(<ul key={i} className="my-2 list-disc space-y-1 pl-5 text-sm">{items.map((t, k) => <li key={k}>{inline(t)}</li>)}</ul>);
    } else {
      const para: string[] = [];
      while (i < lines.length && lines[i].trim() && !/^(#{1,4} |\s*[-*] |\s*\|)/.test(lines[i])) para.push(lines[i++]);
      blocks.push(<p key={i} className="my-2 text-sm leading-relaxed text-neutral-700">{inline(para.join(' '))}</p>);
    }
  }
  return <div data-testid="results-markdown">{blocks}</div>;
}
