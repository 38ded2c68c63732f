// A user's mistake found while running a stage (bad data, wrong label count, missing file):
// shown on its node, unlike a plain Error, which means a broken invariant.
export class StageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageError';
  }
}

/** Thrown when a run is cancelled while a stage is working. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}
