// After an upload, the node takes the file's format, delimiter and real columns; matching choices stay.
import { describe, expect, it } from 'vitest';
import type { GraphNode } from '../../../graph-nodes';
import { uploadParams } from '../../../app/_editor/upload-params';
import type { UploadPreviewView } from '../../../app/_editor/upload-preview';

const node = (type: string, params: Record<string, unknown> = {}): GraphNode => ({ id: 'n', type, typeVersion: 1, params, position: { x: 0, y: 0 } });
const preview = (p: Partial<UploadPreviewView>): UploadPreviewView => ({ id: 'f_1', bytes: 10, filename: 'a.csv', kind: 'csv', columns: [], rows: 1, sample: [], distinct: {}, suggested: {}, problems: [], ...p });

describe('uploadParams', () => {
  it('a CSV with other column names gets the suggested columns and its delimiter', () => {
    const out = uploadParams(node('dataset-upload'), 'f_1', preview({ delimiter: ';', columns: ['id', 'message', 'category'], suggested: { textColumn: 'message', labelColumn: 'category' } }));
    expect(out).toEqual({ fileId: 'f_1', format: 'csv', delimiter: ';', textColumn: 'message', labelColumn: 'category' });
  });

  it('columns the user already chose and the file has are kept', () => {
    const out = uploadParams(node('dataset-upload', { textColumn: 'body', labelColumn: 'y' }), 'f_1', preview({ columns: ['body', 'y', 'label'], suggested: { textColumn: 'body', labelColumn: 'label' } }));
    expect(out).toEqual({ fileId: 'f_1', format: 'csv' });
  });

  it('JSONL becomes jsonl; a corpus takes txt or jsonl and a text field the file has', () => {
    expect(uploadParams(node('dataset-upload'), 'f_1', preview({ kind: 'jsonl', columns: ['text', 'label'] })).format).toBe('jsonl');
    expect(uploadParams(node('corpus-upload'), 'f_2', preview({ kind: 'txt' }))).toEqual({ fileId: 'f_2', format: 'txt' });
    expect(uploadParams(node('corpus-upload'), 'f_3', preview({ kind: 'jsonl', columns: ['body'], suggested: { textColumn: 'body' } }))).toEqual({ fileId: 'f_3', format: 'jsonl', textField: 'body' });
  });

  it('without a preview only the file id changes', () => {
    expect(uploadParams(node('dataset-upload'), 'f_1', null)).toEqual({ fileId: 'f_1' });
  });
});
