// Asking before unsaved edits are dropped, whichever way the page is left: closing or reloading the
// tab (beforeunload), an in-app link (a click caught before Next's Link sees it), the browser's
// Back/Forward (the Navigation API's cancelable traverse, before Next's router sees a popstate) and
// code that calls router.push (it asks `confirmLeave()` first).

const MESSAGE = 'This graph has unsaved changes. Leave without saving them?';

let guarded = false;

/** The parts of the Navigation API used here (not in TypeScript's DOM types yet). */
interface NavigateEventLike {
  navigationType: 'push' | 'replace' | 'reload' | 'traverse';
  cancelable: boolean;
  destination: { url: string };
  preventDefault(): void;
}
interface NavigationLike {
  addEventListener(type: 'navigate', listener: (e: NavigateEventLike) => void): void;
  removeEventListener(type: 'navigate', listener: (e: NavigateEventLike) => void): void;
}

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
  const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
  const onClick = (e: MouseEvent) => {
    if (leavesPage(e) && !window.confirm(MESSAGE)) {
      e.preventDefault();
      e.stopPropagation();
    }
  };
  // Back/Forward: popstate comes too late (the history has moved, and Next renders the other page
  // inside it, unmounting the editor before a listener added after Next's runs). The Navigation API's
  // navigate event comes first and can cancel a same-document traversal. Browsers without it fall
  // back to beforeunload and the link guard only.
  const navigation = (window as { navigation?: NavigationLike }).navigation;
  const onNavigate = (e: NavigateEventLike) => {
    if (e.navigationType !== 'traverse' || !e.cancelable || e.destination.url === here) return;
    if (window.confirm(MESSAGE)) return uninstall();
    e.preventDefault();
  };
  window.addEventListener('beforeunload', onBeforeUnload);
  window.addEventListener('click', onClick, true);
  navigation?.addEventListener('navigate', onNavigate);
  function uninstall() {
    guarded = false;
    window.removeEventListener('beforeunload', onBeforeUnload);
    window.removeEventListener('click', onClick, true);
    navigation?.removeEventListener('navigate', onNavigate);
  }
  return uninstall;
}
