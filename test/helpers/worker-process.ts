// Starts `scripts/worker.ts` as a real worker host process for queue-mode tests and benches.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../../scripts/worker.ts', import.meta.url));

export interface WorkerProcess {
  id: string;
  child: ChildProcess;
  /** Resolves when it announced itself (backend chosen, taking jobs). */
  ready: Promise<void>;
  output(): string;
  /** Kills the host and its stage processes at once (a machine that dies). */
  killHard(): void;
  stop(): Promise<void>;
}

export function startWorkerProcess(opts: { id: string; redisUrl: string; dataDir: string; env?: Record<string, string>; args?: string[]; cpu?: number }): WorkerProcess {
  const cmd = opts.cpu !== undefined ? 'taskset' : process.execPath;
  const args = ['--import', 'tsx', script, '--id', opts.id, ...(opts.args ?? [])];
  // detached: its own process group, so killHard takes the stage children down with it.
  const child = spawn(cmd, opts.cpu !== undefined ? ['-c', String(opts.cpu), process.execPath, ...args] : args, {
    env: { ...process.env, REDIS_URL: opts.redisUrl, TUNEGRAPH_DATA_DIR: opts.dataDir, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  const ready = new Promise<void>((ok, fail) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes(`worker ${opts.id}:`)) ok();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => fail(new Error(`worker ${opts.id} exited (${code}): ${out.slice(-2000)}`)));
  });
  ready.catch(() => {});
  return {
    id: opts.id,
    child,
    ready,
    output: () => out,
    killHard: () => {
      if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    },
    stop: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        process.kill(-child.pid!, 'SIGKILL');
      }),
  };
}
