'use client';
// The keyboard shortcut sheet (press ?).
const SHORTCUTS: [string, string][] = [
  ['Ctrl/⌘ + S', 'Save a new version'],
  ['Ctrl/⌘ + Z', 'Undo'],
  ['Ctrl/⌘ + Shift + Z, Ctrl + Y', 'Redo'],
  ['Ctrl/⌘ + C / V', 'Copy / paste selected nodes'],
  ['Ctrl/⌘ + A', 'Select all'],
  ['Delete / Backspace', 'Delete selection'],
  ['Shift + click, Shift + drag', 'Multi-select, box select'],
  ['Shift + L', 'Auto-layout'],
  ['F', 'Fit the whole graph in view'],
  ['Esc', 'Clear selection'],
  ['?', 'This sheet'],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="absolute right-3 top-3 z-20 w-80 rounded-lg border border-neutral-200 bg-white p-4 text-xs shadow-xl" data-testid="shortcut-help">
      <div className="mb-2 flex items-center justify-between">
        <h3 className="text-sm font-semibold">Keyboard shortcuts</h3>
        <button onClick={onClose} className="text-neutral-400 hover:text-neutral-800">✕</button>
      </div>
      <dl className="space-y-1">
        {SHORTCUTS.map(([k, v]) => (
          <div key={k} className="flex justify-between gap-3">
            <dt className="font-mono text-neutral-700">{k}</dt>
            <dd className="text-right text-neutral-500">{v}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
