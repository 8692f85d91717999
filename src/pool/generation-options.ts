// What a generation is made with: the bundle and its workers, and whom it
// tells about what happens to them.
import type { ErrorData, ExportedAddress, FilesRead, ListenNote, UncaughtContext, UncaughtReport, WorkerData } from './protocol.js'

export interface GenerationOptions {
  gen: number
  workers: number
  entry: string
  handler: WorkerData['handler']
  maxMemoryMb: number | undefined
  /** A module importing the bundle's packages (builder.ts), for workers to import while waiting for the bundle. */
  preloadUrl: string
  /** Given when the generation is made for a known build; omitted for a standby. */
  bundleUrl?: string
  /** The last bundle's handler was Node-style: the workers load the Node adapter while waiting. */
  nodeAdapter?: boolean
  /** Load Node's fetch classes while waiting (an earlier generation's code used them). */
  warmFetchApi?: boolean
  /** This generation's code loaded Node's fetch classes (sent by workers not told to warm them). */
  onFetchApi?(): void
  /** A worker failed outside any request (a late throw in a timer, say). */
  onWorkerError(error: Error): void
  /** A worker caught an error no handler caught, and keeps running (workers/late-errors.ts). */
  onUncaught?(report: UncaughtReport, context?: UncaughtContext): void
  /** A worker hotcell terminated did not exit (unstoppable-worker.ts): the process cannot end it. */
  onUnstoppable?(threadId: number, reason: string): void
  /** A worker held more than --max-memory off-heap with no request running (memory-watch.ts): `message` says so; it was replaced. `whose`: for a repeat's line. */
  onMemoryOver?(message: string, whose: string): void
  /** The app's cleanup at the generation's end outlasted its bound: `text` says what was cut (pool/retirement.ts). */
  onCleanupCut?(text: string): void
  /** A worker exited on its own with no request running and no error (process.exit() in a timer), and was replaced. */
  onWorkerExited?(threadId: number, death: ErrorData): void
  /** The generation stopped replacing workers: its entry kills them as fast as they start. */
  onCrashLoop?(error: ErrorData): void
  /** Internal, for tests: tasks per worker before queueing. */
  tasksPerWorker?: number
  /** The queue size: tests, and the server `hotcell bench` starts (Config's maxQueue). */
  maxQueue?: number | undefined
  /** A worker captured the entry's own listen() call; every worker reports it. */
  onListenCaptured?(note: ListenNote): void
  /** A worker found a port or hostname on the entry's default export; every worker reports it. */
  onExportedAddress?(address: ExportedAddress): void
  /** hotcell's own address, for the captured server's address(); see `serverAddress` for a generation booted before it was known. */
  serverAddress?: WorkerData['serverAddress']
  /** Report the files the app reads and writes under these folders (workers/file-reads.ts). */
  readsIn?: readonly string[]
  /** A worker's report of them. */
  onFilesRead?(report: FilesRead): void
  /** process.env of the workers (with the .env files' variables); default: the main process's. */
  env?: Record<string, string>
}
