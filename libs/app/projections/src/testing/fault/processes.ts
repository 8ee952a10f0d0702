import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
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

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
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
