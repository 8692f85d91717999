// Which of a reload's files were created, for its line ("lib2/a.ts added",
// not "changed"): the watcher's add of a path the last good build did not
// read. An atomic save (a temporary file renamed over the original) of a file
// the watcher listed is a change already (watcher.ts); one of an input that
// it did not list yet (replaced during its scan) changed too.
import type { ChangeKind } from './sources.js'

export class CreatedFiles {
  readonly #paths = new Set<string>()

  /** A change the watcher reported; `wasInput`: the last good build read the file. */
  note(kind: ChangeKind, path: string, wasInput: () => boolean): void {
    if (kind === 'unlink') this.#paths.delete(path)
    else if (kind === 'add' && !wasInput()) this.#paths.add(path)
  }

  /** Of `reasons`, the files created since a reload last named them. */
  among(reasons: readonly string[]): string[] {
    return reasons.filter((reason) => this.#paths.has(reason))
  }

  /** A reload named these: a later one that names them again says they changed. */
  forget(reasons: readonly string[]): void {
    for (const reason of reasons) this.#paths.delete(reason)
  }
}
