// Opening a graph: the whole graph in view, centred, at up to 100%; cards too small to read switch to
// their overview face with titles drawn at a readable size; only a huge graph is cut, at its start.
import { describe, expect, it } from 'vitest';
import { FIT_MIN_ZOOM, OVERVIEW_TITLE_PX, OVERVIEW_ZOOM, overviewFontFor, overviewTitleSize, readableViewport } from '../../../app/_editor/readable-fit';

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

  it('a 14-node row wider than the pane is shown whole (the spam example at 1280×800)', () => {
    const bounds = { x: 0, y: -170, width: 1904, height: 880 };
    const pane = { width: 720, height: 640 };
    const v = readableViewport(bounds, pane, { padding: 24 });
    expect(v.zoom).toBeCloseTo(672 / 1904, 5);
    // Every corner of the graph lands inside the pane.
    for (const [fx, fy] of [[bounds.x, bounds.y], [bounds.x + bounds.width, bounds.y + bounds.height]]) {
      const sx = v.x + fx * v.zoom;
      const sy = v.y + fy * v.zoom;
      expect(sx).toBeGreaterThanOrEqual(0);
      expect(sx).toBeLessThanOrEqual(pane.width);
      expect(sy).toBeGreaterThanOrEqual(0);
      expect(sy).toBeLessThanOrEqual(pane.height);
    }
  });

  it('a graph that would need less than the minimum zoom opens at its start', () => {
    const v = readableViewport({ x: 100, y: 50, width: 20000, height: 500 }, { width: 880, height: 600 }, { padding: 32 });
    expect(v.zoom).toBe(FIT_MIN_ZOOM);
    expect(v.x).toBeCloseTo(32 - 100 * FIT_MIN_ZOOM, 5);
    expect(v.y).toBeCloseTo((600 - 500 * FIT_MIN_ZOOM) / 2 - 50 * FIT_MIN_ZOOM, 5);
  });
});

describe('overviewTitleSize', () => {
  it('is 0 (full cards) at readable zooms', () => {
    expect(overviewTitleSize(1)).toBe(0);
    expect(overviewTitleSize(OVERVIEW_ZOOM)).toBe(0);
  });

  it('draws titles at least OVERVIEW_TITLE_PX on screen below it', () => {
    for (const zoom of [0.59, 0.45, 0.35, 0.25, FIT_MIN_ZOOM]) expect(overviewTitleSize(zoom) * zoom).toBeGreaterThanOrEqual(OVERVIEW_TITLE_PX);
  });
});

describe('overviewFontFor', () => {
  it('keeps the full size when every word fits on a line', () => {
    expect(overviewFontFor('Split', 35, 190)).toBe(35);
  });

  it('shrinks a title with a long word so the word fits, never below 80 %', () => {
    const size = overviewFontFor('Pretrained model', 35, 190);
    expect(size).toBeLessThan(35);
    expect(size * 0.66 * 'Pretrained'.length).toBeLessThanOrEqual(190);
    expect(overviewFontFor('Supercalifragilisticexpialidocious', 35, 190)).toBe(28);
  });
});
