import fs from 'node:fs';
import path from 'node:path';

/** Another live process holds the embedded data folder. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; command: string; since: string },
  ) {
    super(
      `the embedded data folder ${dataDir} is in use by process ${holder.pid} (${holder.command}, since ${holder.since}). ` +
        'PGlite is one database session per folder: a second process would lose writes. Stop that process first ' +
        '(or, while the CRM runs, change data through its HTTP API), or point CRM_DATA_DIR at another folder.',
    );
  }
}

/**
 * An exclusive lock on an embedded data folder: a lock file created atomically (O_EXCL) holding the
 * owner's pid. A lock left by a process that no longer exists (killed) is taken over; a live
 * owner's lock is refused with `DataDirLockedError`.
 */
export class DataDirLock {
  private released = false;

  private constructor(readonly file: string) {}

  static acquire(
    dataDir: string,
    command = process.argv
      .slice(1)
      .map((a) => path.basename(a))
      .join(' '),
  ): DataDirLock {
    fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'crm.lock');
    const content = JSON.stringify({ pid: process.pid, command, since: new Date().toISOString() });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        fs.writeFileSync(file, content, { flag: 'wx' });
        const lock = new DataDirLock(file);
        held.add(lock);
        return lock;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(file);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirLockedError(path.resolve(dataDir), holder);
      // Stale (its process is gone) or unreadable (a writer died mid-write): move it aside and try
      // again. Moving is atomic; if what was moved turns out to be a fresh lock another process took
      // meanwhile, it is put back (link fails if yet another one exists) and that process wins.
      const aside = `${file}.stale-${process.pid}`;
      try {
        fs.renameSync(file, aside);
      } catch {
        continue; // someone else moved it first
      }
      const moved = readHolder(aside);
      if (moved && holder && moved.pid !== holder.pid) {
        try {
          fs.linkSync(aside, file);
        } catch {
          // a third process holds it now
        }
      }
      fs.rmSync(aside, { force: true });
    }
    throw new Error(`could not lock ${file}`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this);
    const holder = readHolder(this.file);
    if (holder?.pid === process.pid) fs.rmSync(this.file, { force: true });
  }
}

/** Locks of this process, released when it exits even without an orderly close. */
const held = new Set<DataDirLock>();
process.once('exit', () => {
  for (const lock of held) lock.release();
});

function readHolder(file: string): { pid: number; command: string; since: string } | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown; command?: unknown; since?: unknown };
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, command: String(parsed.command ?? ''), since: String(parsed.since ?? '') } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
