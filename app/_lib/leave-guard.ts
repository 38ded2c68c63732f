// Asking before unsaved edits are dropped, whichever way the page is left: closing or reloading the
// tab (beforeunload), an in-app link (a click caught before Next's Link sees it), the browser's
// Back/Forward (popstate caught before Next's router handles it) and code that calls router.push
// (it asks `confirmLeave()` first).

const MESSAGE = 'This graph has unsaved changes. Leave without saving them?';

let guarded = false;

/** True when nothing unsaved would be lost, or the person agreed to lose it. Call before router.push. */
export function confirmLeave(): boolean {
  return !guarded || window.confirm(MESSAGE);
}

/** Whether a click on this link leaves the page (same origin, other path, plain left click). */
function leavesPage(e: MouseEvent): boolean {
  const a = (e.target as HTMLElement | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
  if (!a || a.target === '_blank' || a.hasAttribute('download') || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return false;
  const to = new URL(a.href, window.location.href);
  return to.origin === window.location.origin && to.pathname !== window.location.pathname;
}

/** Guards every way out of the page while installed; returns the uninstaller. */
export function installLeaveGuard(): () => void {
  guarded = true;
  const here = window.location.href;
  const hereState: unknown = window.history.state;
  const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
  const onClick = (e: MouseEvent) => {
    if (leavesPage(e) && !window.confirm(MESSAGE)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  // Back/Forward has already moved the history when popstate fires. The listener runs in the capture
  // phase, before Next's router (a bubble listener on window); on "stay" it keeps the router from
  // rendering the other page and puts the editor's entry back on top of the history.
  const onPopState = (e: PopStateEvent) => {
    if (window.location.href === here) return;
    if (window.confirm(MESSAGE)) return uninstall();
    e.stopImmediatePropagation();
    window.history.pushState(hereState, '', here);
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  window.addEventListener('click', onClick, true);
  window.addEventListener('popstate', onPopState, true);
  function uninstall() {
    guarded = false;
    window.removeEventListener('beforeunload', onBeforeUnload);
    window.removeEventListener('click', onClick, true);
    window.removeEventListener('popstate', onPopState, true);
  }
  return uninstall;
}
