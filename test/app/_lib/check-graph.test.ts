// The editor shows its own issues and the server's together, each problem once.
import { describe, expect, it } from 'vitest';
import { mergeIssues } from '../../../app/_lib/check-graph';
import type { CompileIssue } from '../../../runtime/compile/issues';

describe('mergeIssues', () => {
  it('adds the server’s disk-backed problems and drops the ones both found', () => {
    const local: CompileIssue[] = [{ kind: 'missing-input', nodeId: 'ft', port: 'model', message: 'input "model" (Model) is not connected' }];
    const server: CompileIssue[] = [local[0], { kind: 'bad-param', nodeId: 'up', param: 'labelColumn', message: 'train.csv has no column "lable" (it has text, label)' } as CompileIssue];
    expect(mergeIssues(local, server).map((i) => i.nodeId)).toEqual(['ft', 'up']);
  });
});
