// The shape of a node-type declaration, shared by the browser (editor) and the server (compiler, stages).
import type { z } from 'zod';
import type { PortType } from './port-types';

/** Palette groups, in the order the palette shows them. */
export const NODE_CATEGORIES = ['Sources', 'Data', 'Model', 'Adapt', 'Train', 'Evaluate', 'Export'] as const;
export type NodeCategory = (typeof NODE_CATEGORIES)[number];

/** One input or output of a node. */
export interface PortSpec {
  type: PortType;
  /** Shown next to the handle; defaults to the port id. */
  label?: string;
  /** An input that may stay unconnected. Outputs ignore this. */
  optional?: boolean;
  /** An input that accepts several edges (e.g. compare's metrics). Outputs always fan out. */
  multiple?: boolean;
  description?: string;
}

export type PortMap = Record<string, PortSpec>;

/** Turns params saved under an older typeVersion into the next version's shape. */
export type ParamMigration = (params: Record<string, unknown>) => Record<string, unknown>;

/** A node type: declaration only, no execution (that lives in runtime/stages/, same id). */
export interface NodeDefinition<
  Params extends z.ZodObject = z.ZodObject,
  Inputs extends PortMap = PortMap,
  Outputs extends PortMap = PortMap,
> {
  /** Kebab-case id; never changes once shipped. */
  type: string;
  /** Bumped whenever params change shape or meaning; `migrate` upgrades old documents. */
  typeVersion: number;
  title: string;
  category: NodeCategory;
  /** One or two sentences shown in the palette and inspector. */
  description: string;
  inputs: Inputs;
  outputs: Outputs;
  /** Every field has a default, bounds where numeric, and a `.meta({ description })`. */
  params: Params;
  /** Param keys the node card shows. */
  cardParams?: readonly (keyof z.infer<Params> & string)[];
  /** `migrate[v]` turns params of typeVersion v into typeVersion v + 1. */
  migrate?: Record<number, ParamMigration>;
  /** Groups of optional inputs of which at least one must be connected (e.g. eval's dataset or corpus). */
  requireOneOf?: readonly (readonly string[])[];
  /** Cross-field rules JSON Schema cannot express; each problem names its param. */
  check?: (params: z.infer<Params>) => { param: string; message: string }[];
}

/** Declares a node type; the identity function that keeps the literal types for inference. */
export function defineNode<P extends z.ZodObject, I extends PortMap, O extends PortMap>(
  def: NodeDefinition<P, I, O>,
): NodeDefinition<P, I, O> {
  return def;
}

/** Params type of a node definition. */
export type ParamsOf<D> = D extends NodeDefinition<infer P, PortMap, PortMap> ? z.infer<P> : never;
