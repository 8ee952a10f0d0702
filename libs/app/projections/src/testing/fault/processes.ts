import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

const root = path.resolve(__dirname, '../../../../../..');

/** A worker in its own process group, so SIGKILL takes it down with anything it started. */
export class WorkerProcess {
  private child?: ChildProcess;
  constructor(
    readonly script: string,
    readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  start(): void {
    fs.mkdirSync(path.dirname(this.logFile), { recursive: true });
    const out = fs.openSync(this.logFile, 'a');
    this.child = spawn(process.execPath, [path.join(root, 'tools/run-ts.js'), this.script], {
      cwd: root,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, NODE_OPTIONS: '', ...this.env },
    });
    fs.closeSync(out);
  }

  /** Whether it runs, how it ended, and the end of its log: what a failed wait needs to say. */
  describe(lines = 30): string {
    const state = this.running ? 'running' : this.child ? `exited (code ${this.child.exitCode}, signal ${this.child.signalCode})` : 'not started';
    let tail = '';
    try {
      tail = fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      tail = '(no log)';
    }
    return `--- ${this.script}: ${state}; log ${this.logFile}:\n${tail}`;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (what Kubernetes sends first): resolves with how the process ended, after its graceful shutdown. */
  async terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = this.child;
    if (!child?.pid || !this.running) return { code: child?.exitCode ?? null, signal: child?.signalCode ?? null };
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    process.kill(child.pid, 'SIGTERM');
    return exited;
  }

  /** SIGKILL: no shutdown hook, no flush — the crash the platform must survive. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await exited;
  }
}

/**
 * Ports the OS reports free right now (it hands them out for port 0), for child processes to listen
 * on: a port picked at random from a fixed range can already be held by another process, and the
 * child then dies at start-up while the test waits for it.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<net.Server>((resolve, reject) => {
          const server = net.createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/**
 * Polls `check` until it holds; fails at once when one of the processes exits, and on failure
 * (exit or timeout) names each process's state with the end of its log, so a CI log says why.
 */
export async function waitForProcesses(processes: WorkerProcess[], check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const fail = (why: string) => new Error(`${why} waiting for ${what}\n${processes.map((p) => p.describe()).join('\n')}`);
  for (;;) {
    if (await check()) return;
    const exited = processes.filter((p) => !p.running);
    if (exited.length) throw fail(`${exited.map((p) => p.script).join(', ')} exited`);
    if (Date.now() > deadline) throw fail(`Timed out after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether every base URL answers its readiness probe (`GET <base>/health/ready` 200): the `check` of `waitForProcesses` for services. */
export async function allReady(baseUrls: readonly string[]): Promise<boolean> {
  const ready = await Promise.all(
    baseUrls.map((base) =>
      fetch(`${base}/health/ready`).then(
        (r) => r.ok,
        () => false,
      ),
    ),
  );
  return ready.every(Boolean);
}
