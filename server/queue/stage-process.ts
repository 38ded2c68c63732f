// One stage child process of a worker host: forked once, reused for stage after stage, replaced when
// it dies or is killed to cancel. It loads only runtime/ (see runtime/exec/stage-worker.ts).
import { fork, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../runtime/exec/events';
import type { StageJob, StageOutcome } from '../../runtime/exec/execute-stage';
import type { FromStageWorker, ToStageWorker } from '../../runtime/exec/stage-worker';
import type { RuntimeEnv } from '../../runtime/stages/define-stage';

const entry = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime', 'exec', 'stage-worker.ts');

/** The stage process died before it finished (killed, out of memory, crashed). */
export class StageProcessDied extends Error {}

export class StageProcess {
  private readonly child: ChildProcess;
  readonly ready: Promise<{ backend: string; device: string }>;
  backend: string | null = null;
  device: string | null = null;
  private running: { onEvent: (e: RunEvent, at: number) => void; done: (o: StageOutcome) => void; fail: (e: Error) => void } | null = null;
  private exited = false;

  constructor(onExit: (p: StageProcess) => void) {
    this.child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
    this.ready = new Promise((ok, fail) => {
      this.child.on('message', (m: FromStageWorker) => {
        if (m.kind === 'ready') {
          this.backend = m.backend;
          this.device = m.device;
          ok(m);
        } else if (m.kind === 'event') this.running?.onEvent(m.event, m.emittedAt);
        else if (m.kind === 'finished') this.settle((r) => r.done(m.outcome));
        else if (m.kind === 'crashed') {
          fail(new StageProcessDied(m.error));
          this.settle((r) => r.fail(new StageProcessDied(m.error)));
        }
      });
      this.child.on('exit', (code, signal) => {
        this.exited = true;
        const reason = new StageProcessDied(`stage process exited unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`);
        fail(reason);
        this.settle((r) => r.fail(reason));
        onExit(this);
      });
    });
    this.ready.catch(() => {});
  }

  get alive(): boolean {
    return !this.exited;
  }

  get busy(): boolean {
    return this.running !== null;
  }

  private settle(fn: (r: NonNullable<StageProcess['running']>) => void) {
    const r = this.running;
    this.running = null;
    if (r) fn(r);
  }

  /** Runs one stage; events arrive through `onEvent` in the order the stage emitted them. */
  async run(job: StageJob, env: RuntimeEnv, artifactsRoot: string, onEvent: (e: RunEvent, emittedAt: number) => void): Promise<StageOutcome> {
    await this.ready;
    if (this.running) throw new Error('stage process is busy');
    return new Promise((done, fail) => {
      this.running = { onEvent, done, fail };
      this.child.send({ kind: 'stage', job, env, artifactsRoot } satisfies ToStageWorker);
    });
  }

  /** Asks the stage to stop; kills the process if it has not stopped within `graceMs`. */
  cancel(graceMs = 3000): void {
    if (this.exited) return;
    this.child.send({ kind: 'cancel' } satisfies ToStageWorker);
    setTimeout(() => this.busy && this.kill(), graceMs).unref();
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }
}
