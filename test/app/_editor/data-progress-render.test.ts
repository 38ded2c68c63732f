// The run panel and the node card put data work in words ("parsing emails 2,000 / 6,046 emails"), rendered as the browser gets it.
import { ReactFlowProvider } from '@xyflow/react';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { applyRunEvents, emptyRunView } from '../../../app/_lib/run-state';
import { nodeTypes } from '../../../app/_editor/node-card';
import { RunPanel } from '../../../app/_editor/run-panel';
import { datasetBundled } from '../../../graph-nodes/dataset-bundled';
import type { NumberedRunEvent, RunEvent } from '../../../runtime/exec/events';

let seq = 0;
const ev = (e: RunEvent): NumberedRunEvent => ({ ...e, runId: 'r_1', seq: ++seq, at: new Date(0).toISOString() }) as NumberedRunEvent;

describe('data work in the run panel', () => {
  it('shows what each running node is parsing, and nothing once the run is over', () => {
    const running = applyRunEvents(emptyRunView(), [
      ev({ type: 'run-status', status: 'running' }),
      ev({ type: 'node-status', nodeId: 'emails', status: 'running' }),
      ev({ type: 'progress', nodeId: 'emails', step: 2000, totalSteps: 6046, epoch: 0, phase: 'parsing emails', unit: 'emails' }),
    ]);
    const props = { runId: 'r_1', history: [], onPickRun: () => {}, onClose: () => {} };
    const html = renderToStaticMarkup(createElement(RunPanel, { ...props, view: running }));
    expect(html).toContain('data-testid="run-data-progress"');
    expect(html).toContain('[emails] parsing emails 2,000 / 6,046 emails');
    const done = applyRunEvents(running, [ev({ type: 'node-status', nodeId: 'emails', status: 'done' }), ev({ type: 'run-status', status: 'done' })]);
    expect(renderToStaticMarkup(createElement(RunPanel, { ...props, view: done }))).not.toContain('run-data-progress');
  });
});

describe('data work on the node card', () => {
  it('says rows parsed of the total under the progress bar, not a step count', () => {
    const view = applyRunEvents(emptyRunView(), [
      ev({ type: 'node-status', nodeId: 'emails', status: 'running' }),
      ev({ type: 'progress', nodeId: 'emails', step: 2000, totalSteps: 6046, epoch: 0, phase: 'parsing emails', unit: 'emails' }),
    ]);
    const node = { id: 'emails', type: 'dataset-bundled', typeVersion: 1, params: {}, position: { x: 0, y: 0 } };
    const card = (run: typeof view.nodes.emails) =>
      renderToStaticMarkup(createElement(ReactFlowProvider, null, createElement(nodeTypes.stage, { id: 'emails', data: { node, def: datasetBundled, issues: [], run }, selected: false } as never)));
    const html = card(view.nodes.emails);
    expect(html).toContain('data-testid="node-progress-emails"');
    expect(html).toContain('parsing emails 2,000 / 6,046 emails');
    expect(html).not.toContain('step 2000');
    // A training step shows the bar only (its numbers are in the run panel's curves).
    expect(card({ status: 'running', step: 5, totalSteps: 100, phase: 'fine-tune' })).not.toContain('node-progress-emails');
  });
});
