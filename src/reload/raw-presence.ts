// A file that appears or disappears, told from fs.watch's raw events rather
// than from chokidar's add and unlink. chokidar holds every unlink back for
// 100 ms (its `atomic` option: an unlink and an add of the same path that soon
// after are an editor's atomic save, reported as one change), and its add
// waits for an fs.stat on libuv's thread pool. So a rename (mv a.ts b.ts, an
// editor's rename, git checkout) came as an add of the new name ~3 ms after
// it and an unlink of the old name ~103 ms after it: two builds, and two
// reload lines when the first one failed. The raw events of both names come
// in one poll of the watcher, and the scheduler builds one poll's events
// once. chokidar's own add or unlink that follows is an echo, dropped.

/** chokidar's add or unlink comes ~3 ms or ~100 ms after the raw event; one later than this is reported. */
const ECHO_MS = 1_000
/** Past this many paths, those told about more than ECHO_MS ago are forgotten (an app writing a file per request). */
const PRUNE_AT = 256

export class RawPresence {
  /** Path -> whether it was there when last told, and when (performance.now()). */
  readonly #told = new Map<string, { present: boolean; at: number }>()

  /**
   * A raw event of `path`. `tracked`: it came from the file's own watcher,
   * which chokidar keeps only for a file it knows. `present`: the path is a
   * file now. What to report at once, if anything. Nothing for a path seen
   * in neither state (a temporary file renamed away before anything looked
   * at it: chokidar reports nothing of it either), nor for a write to a file
   * that is there (a save: watcher.ts).
   */
  seen(path: string, { tracked, present, event }: { tracked: boolean; present: boolean; event: string }): 'add' | 'unlink' | undefined {
    if (present) {
      // A file chokidar knows that is there after a 'rename' was replaced
      // (an atomic save): its own watcher's 'change' reports that.
      if (tracked || event !== 'rename') return undefined
      this.#tell(path, true)
      return 'add'
    }
    if (!tracked && this.#told.get(path) === undefined) return undefined
    // Told again at each event: one that comes in a later poll builds again,
    // as chokidar's unlink would have (the file may have come and gone meanwhile).
    this.#tell(path, false)
    return 'unlink'
  }

  /**
   * chokidar's add or unlink of `path`: an echo of the last report if that
   * said the same, lately. Anything the file went through since was a raw
   * event of its own, reported as it came.
   */
  isEcho(kind: 'add' | 'unlink', path: string): boolean {
    const told = this.#told.get(path)
    this.#told.delete(path)
    return told !== undefined && told.present === (kind === 'add') && performance.now() - told.at < ECHO_MS
  }

  #tell(path: string, present: boolean): void {
    const now = performance.now()
    this.#told.delete(path)
    this.#told.set(path, { present, at: now })
    if (this.#told.size <= PRUNE_AT) return
    // Oldest first: a Map keeps insertion order, and a path told again moved to the end.
    for (const [old, { at }] of this.#told) {
      if (now - at < ECHO_MS) break
      this.#told.delete(old)
    }
  }
}
