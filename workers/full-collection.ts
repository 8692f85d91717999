// A full garbage collection without --expose-gc: vm.measureMemory in its
// eager mode posts a task that runs the same collection as gc() does
// (MemoryMeasurement::ScheduleGCTask → PreciseCollectAllGarbage in V8).
// Used in a worker before judging its off-heap memory (memory-check.ts) and
// on the main thread after reloads (src/reload/settle-heap.ts).

/** Resolves once the collection has run. */
export function fullCollection(): Promise<unknown> {
  // Its one-time ExperimentalWarning, emitted as it is called, would read as
  // the user's problem in their terminal: this call is hotcell's own.
  // node:vm when first asked (memory-check.ts says why).
  const { measureMemory } = process.getBuiltinModule('node:vm')
  const emit = process.emitWarning
  process.emitWarning = () => {}
  try {
    return measureMemory({ execution: 'eager' }).catch(() => {})
  } finally {
    process.emitWarning = emit
  }
}
