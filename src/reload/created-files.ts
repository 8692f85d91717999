// Which of a reload's files were created, for its line ("lib2/a.ts added",
// not "changed"): the watcher's add of a path the last good build did not
// read, or of one a reload's line said was deleted. An atomic save (a
// temporary file renamed over the original) of a file the watcher listed is a
// change already (watcher.ts); one of an input that it did not list yet
// (replaced during its scan) changed too.
//
// The line compares with what the reload before it said. A file deleted and
// written again before a build began (git checkout unlinks and writes) is
// "changed". One whose deletion a line reported, then restored, is "added",
// whatever the build of the deletion did: `rm` then `git checkout --` said
// "added" of a file imported through a tsconfig alias (esbuild left the
// import external, so the build was good and no longer read it) and "changed"
// of one imported by a relative path (the build failed, and the last good
// build had read it).
import type { ChangeKind } from './sources.js'

export class CreatedFiles {
  readonly #paths = new Set<string>()
  /** Files a reload's line said were deleted, not named by a reload since. */
  readonly #saidDeleted = new Set<string>()

  /** A change the watcher reported; `wasInput`: the last good build read the file. */
  note(kind: ChangeKind, path: string, wasInput: () => boolean): void {
    if (kind === 'unlink') this.#paths.delete(path)
    else if (kind === 'add' && (this.#saidDeleted.has(path) || !wasInput())) this.#paths.add(path)
  }

  /** Of `reasons`, the files created since a reload last named them. */
  among(reasons: readonly string[]): string[] {
    return reasons.filter((reason) => this.#paths.has(reason))
  }

  /** A reload named these (`deleted`: said deleted): a later one that names them again says they changed, or were added. */
  named(reasons: readonly string[], deleted: readonly string[]): void {
    for (const reason of reasons) {
      this.#paths.delete(reason)
      this.#saidDeleted.delete(reason)
    }
    for (const path of deleted) this.#saidDeleted.add(path)
  }
}
