import { describe, expect, it } from 'vitest';
import { nodeCatalog } from '../../../graph-nodes';
import { stages } from '../../../runtime/stages';
import { stageVersions } from '../../../runtime/stages/versions';

describe('stage registry', () => {
  it('has a stage for every node type and no stage without a type', () => {
    expect(Object.keys(stages).sort()).toEqual(Object.keys(nodeCatalog).sort());
    for (const [type, stage] of Object.entries(stages)) {
      expect(stage.type).toBe(type);
      expect(stage.codeVersion).toBe(stageVersions[type as keyof typeof stageVersions]);
    }
  });
});
