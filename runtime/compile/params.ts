// Resolving a node's params against its type's zod schema (defaults applied, problems as issues).
import type { z } from 'zod';
import { getNodeDefinition, type NodeDefinition } from '../../graph-nodes';
import type { CompileIssue } from './issues';
import { plainParamMessage } from './param-messages';

/** Turns a zod issue path into the dotted `param` the editor marks (`targetModules.0`). */
export function paramPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/** Params with defaults applied, plus every problem found (zod and the type's own check). */
export function resolveNodeParams(
  def: NodeDefinition,
  nodeId: string,
  params: unknown,
): { params?: Record<string, unknown>; issues: CompileIssue[] } {
  // zod objects strip unknown keys silently; a misspelt param in an imported file would then train with the default.
  const unknown: CompileIssue[] = Object.keys((params ?? {}) as object)
    .filter((key) => !Object.hasOwn(def.params.shape, key))
    .map((key) => ({ kind: 'bad-param', nodeId, param: key, message: `${key}: "${def.type}" has no param "${key}" (it has ${Object.keys(def.params.shape).join(', ')})` }));
  const parsed = def.params.safeParse(params ?? {});
  if (!parsed.success) {
    return {
      issues: [
        ...unknown,
        ...parsed.error.issues.map((i: z.core.$ZodIssue): CompileIssue => {
          const param = paramPath(i.path);
          return { kind: 'bad-param', nodeId, param: param || undefined, message: plainParamMessage(i, params) };
        }),
      ],
    };
  }
  if (unknown.length > 0) return { issues: unknown };
  const value = parsed.data as Record<string, unknown>;
  const issues: CompileIssue[] = (def.check?.(value as never) ?? []).map((p) => ({
    kind: 'bad-param' as const,
    nodeId,
    param: p.param,
    message: p.message,
  }));
  return { params: value, issues };
}

/** Params of a known type with defaults applied; throws when they do not parse. */
export function resolveParams(type: string, params: unknown): Record<string, unknown> {
  const def = getNodeDefinition(type);
  if (!def) throw new Error(`unknown node type "${type}"`);
  const { params: value, issues } = resolveNodeParams(def, '', params);
  if (!value || issues.length > 0) throw new Error(`bad params for "${type}": ${issues.map((i) => i.message).join('; ')}`);
  return value;
}
