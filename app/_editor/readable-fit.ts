// The view an editor opens on: the whole graph when it fits at a readable zoom, otherwise readable
// zoom anchored at the graph's start (its sources, top-left), never shrunk to an unreadable overview.

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Smallest zoom at which card titles and params stay readable. */
export const READABLE_ZOOM = 0.75;

/** Viewport {x, y, zoom} showing `bounds` (flow coordinates) in a pane of the given size. */
export function readableViewport(bounds: Rect, pane: { width: number; height: number }, opts: { minZoom?: number; maxZoom?: number; padding?: number } = {}): { x: number; y: number; zoom: number } {
  const minZoom = opts.minZoom ?? READABLE_ZOOM;
  const maxZoom = opts.maxZoom ?? 1;
  const pad = opts.padding ?? 32;
  const availW = Math.max(1, pane.width - 2 * pad);
  const availH = Math.max(1, pane.height - 2 * pad);
  const fit = Math.min(availW / Math.max(1, bounds.width), availH / Math.max(1, bounds.height));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const place = (start: number, size: number, paneSize: number, avail: number) =>
    size * zoom <= avail ? (paneSize - size * zoom) / 2 - start * zoom : pad - start * zoom;
  return { x: place(bounds.x, bounds.width, pane.width, availW), y: place(bounds.y, bounds.height, pane.height, availH), zoom };
}
