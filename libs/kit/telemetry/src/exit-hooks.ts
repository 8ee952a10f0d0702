/**
 * Work a process must finish before it exits on a graceful shutdown, registered by modules the code
 * that exits must not import: the OpenTelemetry SDK (`./start-telemetry`, loaded only by entry points)
 * flushes its last spans here, and the service kit's signal handler runs the hooks before `exit(0)`.
 * Without this the spans of the last seconds before a `SIGTERM` — those of the drained requests — were
 * dropped with the batch processor's buffer.
 */
const hooks = new Set<() => Promise<void>>();

/** Registers `hook` to run before a graceful exit; returns a function that unregisters it. */
export function beforeGracefulExit(hook: () => Promise<void>): () => void {
  hooks.add(hook);
  return () => hooks.delete(hook);
}

/** Runs every registered hook (all of them, even if one fails), at most `timeoutMs` in all. */
export async function runGracefulExitHooks(timeoutMs = 5_000): Promise<void> {
  const all = Promise.allSettled([...hooks].map((hook) => hook()));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
    timer.unref();
  });
  await Promise.race([all.then(() => undefined), timeout]);
  clearTimeout(timer);
}
