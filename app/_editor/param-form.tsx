'use client';
// A form generated from a node type's zod schema (through JSON Schema): numbers with bounds,
// enums, booleans, multi-selects and text, with help text and inline errors.
import { useEffect, useMemo, useState } from 'react';
import { z } from 'zod';
import type { NodeDefinition } from '../../graph-nodes';
import type { CompileIssue } from '../../runtime/compile/issues';

interface FieldSchema {
  type?: 'number' | 'integer' | 'string' | 'boolean' | 'array';
  /** "auto" or a number: `anyOf: [{ const: 'auto' }, { type: 'number', … }]` with meta `auto: true`. */
  anyOf?: FieldSchema[];
  const?: unknown;
  auto?: boolean;
  enum?: string[];
  items?: { enum?: string[]; type?: string };
  minimum?: number;
  maximum?: number;
  default?: unknown;
  description?: string;
}

const schemaCache = new WeakMap<object, Record<string, FieldSchema>>();
function fieldsOf(def: NodeDefinition): Record<string, FieldSchema> {
  let fields = schemaCache.get(def.params);
  if (!fields) {
    fields = (z.toJSONSchema(def.params) as { properties: Record<string, FieldSchema> }).properties;
    // "auto" or a number (fine-tune's learningRate …): a number field whose empty value means auto.
    for (const [key, f] of Object.entries(fields)) {
      const anyOf = (f as { anyOf?: FieldSchema[] }).anyOf;
      const num = anyOf?.find((b) => b.type === 'number' || b.type === 'integer');
      // Kept marked as auto, so the form shows what "auto" resolves to, with an override.
      if (num) fields[key] = { ...num, default: f.default, description: f.description, auto: anyOf!.some((b) => b.const === 'auto'), anyOf };
    }
    schemaCache.set(def.params, fields);
  }
  return fields;
}

/** Splits camelCase into words: learningRate → Learning rate. */
function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function NumberField({ value, schema, onChange, testId }: { value: unknown; schema: FieldSchema; onChange: (v: unknown) => void; testId: string }) {
  const shown = value === undefined ? '' : String(value);
  const [text, setText] = useState(shown);
  // Follow outside changes (undo, another node) without fighting the user's typing.
  useEffect(() => setText((t) => (t === shown || Number(t) === value ? t : shown)), [shown, value]);
  return (
    <input
      data-testid={testId}
      type="text"
      inputMode="decimal"
      value={text}
      placeholder={String(schema.default ?? '')}
      onChange={(e) => {
        const raw = e.target.value;
        setText(raw);
        const trimmed = raw.trim();
        if (trimmed === '') return onChange(undefined);
        const n = Number(trimmed);
        onChange(Number.isFinite(n) ? n : raw);
      }}
      className="h-8 w-full rounded-md border border-neutral-300 px-2 font-mono text-sm outline-none focus:border-accent"
    />
  );
}

/** The value an "auto" param will take and why (from graphs.check's `resolved`). */
export interface ResolvedValue {
  value: number;
  reason: string;
}

const shortNumber = (v: number) => (Math.abs(v) > 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e5) ? v.toExponential(0) : String(+v.toPrecision(4)));

/** A param Tunegraph can choose: shows the value "auto" resolves to and why, with an override. */
function AutoNumberField({ value, schema, resolved, onChange, testId }: { value: unknown; schema: FieldSchema; resolved?: ResolvedValue; onChange: (v: unknown) => void; testId: string }) {
  const numeric = schema.anyOf?.find((b) => b.type === 'number' || b.type === 'integer') ?? {};
  const isAuto = value === undefined || value === 'auto';
  if (isAuto) {
    return (
      <div className="flex items-start gap-2" data-testid={testId} data-auto="true">
        <div className="min-w-0 flex-1 rounded-md border border-dashed border-indigo-300 bg-accent-soft px-2 py-1.5 text-xs text-indigo-900" data-testid={`${testId}-resolved`}>
          {resolved ? (
            <>
              <span className="font-mono font-semibold">{shortNumber(resolved.value)}</span> <span className="text-indigo-700">— {resolved.reason.replace(/^auto:\s*/, 'auto: ')}</span>
            </>
          ) : (
            <span className="text-indigo-700">auto: chosen from the model and the data when the graph is complete</span>
          )}
        </div>
        <button
          data-testid={`${testId}-override`}
          onClick={() => onChange(resolved?.value ?? numeric.default ?? numeric.minimum ?? 0)}
          className="h-8 shrink-0 rounded-md border border-neutral-300 px-2 text-xs text-neutral-600 hover:bg-neutral-50"
          title="Set your own value"
        >
          Override
        </button>
      </div>
    );
  }
  return (
    <div className="flex items-center gap-2">
      <div className="min-w-0 flex-1">
        <NumberField value={value} schema={numeric} onChange={onChange} testId={testId} />
      </div>
      <button data-testid={`${testId}-auto`} onClick={() => onChange('auto')} className="h-8 shrink-0 rounded-md border border-neutral-300 px-2 text-xs text-neutral-600 hover:bg-neutral-50" title="Let Tunegraph choose from the model and the data">
        Auto
      </button>
    </div>
  );
}

export function ParamForm({
  def,
  params,
  issues,
  onChange,
  resolved,
}: {
  def: NodeDefinition;
  params: Record<string, unknown>;
  issues: CompileIssue[];
  onChange: (param: string, value: unknown) => void;
  /** Values the node's "auto" params resolve to. */
  resolved?: Record<string, ResolvedValue>;
}) {
  const fields = useMemo(() => fieldsOf(def), [def]);
  return (
    <div className="space-y-4">
      {Object.entries(fields).map(([key, schema]) => {
        const value = params[key];
        const current = value ?? schema.default;
        const fieldIssues = issues.filter((i) => i.param === key || i.param?.startsWith(`${key}.`));
        const testId = `param-${key}`;
        let control;
        const bounds0 = schema.anyOf?.find((b) => b.type === 'number' || b.type === 'integer');
        if (schema.auto || schema.anyOf?.some((b) => b.const === 'auto')) {
          control = <AutoNumberField value={value} schema={schema} resolved={resolved?.[key]} onChange={(v) => onChange(key, v)} testId={testId} />;
        } else if (schema.type === 'boolean') {
          control = (
            <label className="flex items-center gap-2 text-sm">
              <input data-testid={testId} type="checkbox" checked={!!current} onChange={(e) => onChange(key, e.target.checked)} className="h-4 w-4 accent-[var(--color-accent)]" />
              {current ? 'on' : 'off'}
            </label>
          );
        } else if (schema.enum) {
          control = (
            <select data-testid={testId} value={String(current ?? '')} onChange={(e) => onChange(key, e.target.value)} className="h-8 w-full rounded-md border border-neutral-300 bg-white px-2 text-sm outline-none focus:border-accent">
              {schema.enum.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          );
        } else if (schema.type === 'array' && schema.items?.enum) {
          const selected = new Set(Array.isArray(current) ? (current as string[]) : []);
          control = (
            <div data-testid={testId} className="flex flex-wrap gap-1.5">
              {schema.items.enum.map((o) => (
                <label key={o} className={`cursor-pointer rounded-md border px-2 py-1 text-xs ${selected.has(o) ? 'border-accent bg-accent-soft text-accent' : 'border-neutral-300 text-neutral-600'}`}>
                  <input
                    type="checkbox"
                    className="hidden"
                    checked={selected.has(o)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.target.checked) next.add(o);
                      else next.delete(o);
                      onChange(key, schema.items!.enum!.filter((x) => next.has(x)));
                    }}
                  />
                  {o}
                </label>
              ))}
            </div>
          );
        } else if (schema.type === 'array') {
          control = (
            <input
              data-testid={testId}
              value={Array.isArray(current) ? (current as string[]).join(', ') : ''}
              onChange={(e) => onChange(key, e.target.value.split(',').map((s) => s.trim()).filter(Boolean))}
              placeholder="comma, separated"
              className="h-8 w-full rounded-md border border-neutral-300 px-2 text-sm outline-none focus:border-accent"
            />
          );
        } else if (schema.type === 'number' || schema.type === 'integer') {
          control = <NumberField value={value} schema={schema} onChange={(v) => onChange(key, v)} testId={testId} />;
        } else {
          control = (
            <input data-testid={testId} value={String(current ?? '')} onChange={(e) => onChange(key, e.target.value)} className="h-8 w-full rounded-md border border-neutral-300 px-2 text-sm outline-none focus:border-accent" />
          );
        }
        const limits = bounds0 ?? schema;
        const bounds = limits.minimum !== undefined || limits.maximum !== undefined ? `${limits.minimum ?? '−∞'} – ${limits.maximum ?? '∞'}` : null;
        return (
          <div key={key}>
            <div className="mb-1 flex items-baseline justify-between gap-2">
              <label className="text-xs font-medium text-neutral-700">{humanize(key)}</label>
              {bounds && <span className="font-mono text-[10px] text-neutral-400">{bounds}</span>}
            </div>
            {control}
            {schema.description && <p className="mt-1 text-[11px] leading-snug text-neutral-500">{schema.description}</p>}
            {fieldIssues.map((i, n) => (
              <p key={n} data-testid={`param-error-${key}`} className="mt-1 text-[11px] font-medium text-red-600">{i.message}</p>
            ))}
          </div>
        );
      })}
    </div>
  );
}
