// Orders what a watcher of one run receives: the replay pages a join answers with, and live events
// pushed to the run's room. The server joins the room before reading the backlog, so a live event can
// arrive before the replay of older ones; folding it first would mark those older events as seen
// (the fold skips seq ≤ lastSeq) and lose them — a node's early DONE never shown. Live events are
// therefore held while a join is being answered and released after its last replay page.
import type { NumberedRunEvent } from '../../runtime/exec/events';

export class RunFollower {
  private joining = false;
  private held: NumberedRunEvent[] = [];

  /** @param deliver receives events to fold, each batch in the order the fold expects. */
  constructor(private readonly deliver: (events: NumberedRunEvent[]) => void) {}

  /** A join (or its next page) was sent: hold live events until its answer is complete. */
  joinSent(): void {
    this.joining = true;
  }

  /** A live event from the room. */
  live(event: NumberedRunEvent): void {
    if (this.joining) this.held.push(event);
    else this.deliver([event]);
  }

  /**
   * A join's answer: its replay page is folded now; held live events wait while more pages follow
   * (they are newer than every page), and are folded after the last one, or after a refusal.
   */
  replay(events: NumberedRunEvent[], more: boolean): void {
    if (events.length > 0) this.deliver(events);
    if (more) return;
    this.joining = false;
    const held = this.held;
    this.held = [];
    if (held.length > 0) this.deliver(held);
  }
}
