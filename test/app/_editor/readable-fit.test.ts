// Opening a graph: small graphs are centred at up to 100%, big ones stay readable and start at their sources.
import { describe, expect, it } from 'vitest';
import { READABLE_ZOOM, readableViewport } from '../../../app/_editor/readable-fit';

describe('readableViewport', () => {
  it('centres a graph that fits, never zooming past 100%', () => {
    const v = readableViewport({ x: 0, y: 0, width: 400, height: 200 }, { width: 1000, height: 600 });
    expect(v.zoom).toBe(1);
    expect(v.x).toBe(300);
    expect(v.y).toBe(200);
  });

  it('shrinks a slightly too large graph just enough to fit', () => {
    const v = readableViewport({ x: 0, y: 0, width: 1872, height: 300 }, { width: 1600, height: 800 }, { padding: 32 });
    expect(v.zoom).toBeCloseTo(1536 / 1872, 5);
  });

  it('a 14-node graph wider than the pane keeps a readable zoom and shows its start', () => {
    const v = readableViewport({ x: 100, y: 50, width: 2200, height: 500 }, { width: 880, height: 600 }, { padding: 32 });
    expect(v.zoom).toBe(READABLE_ZOOM);
    // The leftmost card starts at the padding; vertically it fits, so it is centred.
    expect(v.x).toBeCloseTo(32 - 100 * READABLE_ZOOM, 5);
    expect(v.y).toBeCloseTo((600 - 500 * READABLE_ZOOM) / 2 - 50 * READABLE_ZOOM, 5);
  });
});
