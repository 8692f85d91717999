// Node 20's require() of an ES module aborts the whole process with a V8
// fatal error ("IsGraphAsync must be used on an instantiated module") when
// the worker is terminated inside it: reproduced with a bare Worker that
// requires a 30-module graph, terminated at random, 2 aborts in 6 runs of 300
// (none on Node 24). A worker is inside one while it boots (piscina requires
// the runtime, which requires the preload) and while it imports the bundle
// (workers/bundle-import.ts), so Generation.destroy() lets those finish, up to
// a bound: past it, an import that has not ended is running the app's code,
// not the loader's. The bound counts from when the import was handed out
// (bundle-handoff.ts), not from the end: a shutdown that comes while an
// import is stuck in a loop at the top level ends it at once once it is past.

/** How long after a bundle was handed to a worker its import may still be in the loader; and a generation's end waits at most this long. */
export const GRACE_MS = 2_000

/** Resolves once `inImport()` is false, or GRACE_MS from now. */
export async function outOfSyncImports(inImport: () => boolean): Promise<void> {
  for (const until = performance.now() + GRACE_MS; inImport() && performance.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 5))
}
