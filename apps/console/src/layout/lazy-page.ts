import { lazy, type ComponentType } from 'react';

/**
 * A page loaded when it is first shown: `import()` makes its module a chunk of its own in the build,
 * so the console's first load carries the shell and the page it opens, not every area's pages and
 * charts. The shell's `<Suspense>` shows a loader meanwhile. Typed as the page itself (its props).
 */
export function lazyPage<M extends object, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return lazy(async () => ({ default: (await load())[name] as ComponentType<object> })) as M[K];
}
