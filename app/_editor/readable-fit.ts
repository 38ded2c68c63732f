// The view an editor opens on (and Fit / F): the whole graph, centred, at up to 100 %. Below
// OVERVIEW_ZOOM card params are too small to read, so cards show an overview face with the title drawn
// at a readable size: the whole graph stays on screen and a person sees what is where, then zooms in
// to edit. Only a graph that needs less than FIT_MIN_ZOOM is cut, anchored at its sources (top-left).

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Below this zoom card params and port names are too small to read: cards show their overview face. */
export const OVERVIEW_ZOOM = 0.6;

/** Fit never goes below this: a graph wider than that (60+ nodes in a row) opens at its start. */
export const FIT_MIN_ZOOM = 0.2;

/** Smallest on-screen size, in CSS px, of a card title on the overview face. */
export const OVERVIEW_TITLE_PX = 12;

/** Font size (flow units) of a card title on the overview face at `zoom`; 0 when cards show in full. */
export function overviewTitleSize(zoom: number): number {
  if (zoom >= OVERVIEW_ZOOM) return 0;
  return Math.ceil(OVERVIEW_TITLE_PX / Math.max(zoom, FIT_MIN_ZOOM));
}

/** Average advance of a bold sans-serif letter, in em (wide enough for DejaVu Sans Bold). */
const BOLD_EM_PER_CHAR = 0.66;

/** The overview title's font size: `px`, shrunk (to at most 80 % of it) so its longest word fits on
 * one line of `width` flow units instead of breaking mid-word ("Pretraine|d"). */
export function overviewFontFor(title: string, px: number, width: number): number {
  const longest = Math.max(1, ...title.split(/[\s-]+/).map((w) => w.length));
  return Math.max(Math.ceil(px * 0.8), Math.min(px, Math.floor(width / (BOLD_EM_PER_CHAR * longest))));
}

/** Viewport {x, y, zoom} showing `bounds` (flow coordinates) in a pane of the given size. */
export function readableViewport(bounds: Rect, pane: { width: number; height: number }, opts: { minZoom?: number; maxZoom?: number; padding?: number } = {}): { x: number; y: number; zoom: number } {
  const minZoom = opts.minZoom ?? FIT_MIN_ZOOM;
  const maxZoom = opts.maxZoom ?? 1;
  const pad = opts.padding ?? 24;
  const availW = Math.max(1, pane.width - 2 * pad);
  const availH = Math.max(1, pane.height - 2 * pad);
  const fit = Math.min(availW / Math.max(1, bounds.width), availH / Math.max(1, bounds.height));
  const zoom = Math.min(maxZoom, Math.max(minZoom, fit));
  const place = (start: number, size: number, paneSize: number, avail: number) =>
    size * zoom <= avail ? (paneSize - size * zoom) / 2 - start * zoom : pad - start * zoom;
  return { x: place(bounds.x, bounds.width, pane.width, availW), y: place(bounds.y, bounds.height, pane.height, availH), zoom };
}
