import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { getNodeDefinition, nodeCatalog, nodeDefinitions, NODE_CATEGORIES, PORT_TYPES } from '../../graph-nodes';

describe('node catalog', () => {
  it('keys every definition by its own type id', () => {
    for (const [key, def] of Object.entries(nodeCatalog)) expect(def.type).toBe(key);
  });

  it.each(nodeDefinitions.map((d) => [d.type, d] as const))('%s: params parse from {} with defaults and every field is documented', (_, def) => {
    expect(() => def.params.parse({})).not.toThrow();
    const schema = z.toJSONSchema(def.params) as { properties: Record<string, { description?: string; default?: unknown }> };
    for (const [name, prop] of Object.entries(schema.properties)) {
      expect(prop.description, `${def.type}.${name} description`).toBeTruthy();
      expect(prop.default, `${def.type}.${name} default`).not.toBeUndefined();
    }
  });

  it.each(nodeDefinitions.map((d) => [d.type, d] as const))('%s: the JSON Schema defaults parse back to the zod defaults', (_, def) => {
    // What the editor's form writes from the JSON Schema must equal what an omitted param means.
    const schema = z.toJSONSchema(def.params) as { properties: Record<string, { default?: unknown }> };
    const written = Object.fromEntries(Object.entries(schema.properties).map(([k, p]) => [k, p.default]));
    const parsed = def.params.safeParse(written);
    expect(parsed.success, `${def.type}: ${parsed.error?.message}`).toBe(true);
    expect(parsed.data).toEqual(def.params.parse({}));
  });

  it('uses only known categories and port types', () => {
    for (const def of nodeDefinitions) {
      expect(NODE_CATEGORIES).toContain(def.category);
      for (const p of [...Object.values(def.inputs), ...Object.values(def.outputs)]) expect(PORT_TYPES).toContain(p.type);
      for (const key of def.cardParams ?? []) expect(Object.keys(def.params.shape)).toContain(key);
    }
  });

  it('covers the stage set of the architecture', () => {
    for (const type of ['pretrained-load', 'dapt', 'freeze', 'lora', 'head', 'fine-tune', 'eval', 'distill', 'export', 'compare', 'split', 'dataset-bundled', 'corpus-bundled', 'dataset-upload', 'corpus-upload']) {
      expect(getNodeDefinition(type), type).toBeDefined();
    }
    expect(getNodeDefinition('toString')).toBeUndefined();
  });
});
