// With --no-reload, the build folder (.hotcell/) deleted while the server
// runs cannot be repaired by a build: the sources may have been saved since,
// and a build would write code that is not served (and a different file: its
// name is its content's hash). Yet the served bundle is still needed: a
// worker replacing a crashed one imports it, with its source map, which the
// stacks of its errors are mapped through. So the bytes of the files in use
// are kept, and written back as they were. Off the JS heap (Buffers): the
// collector does not walk them.
import { readFileSync } from 'node:fs'
import { writeOutputs } from './build-output.js'

export class KeptOutputs {
  readonly #files = new Map<string, Buffer>()

  /** A build's outputs, as written: copied, so that esbuild's whole answer is not held for a view into it. */
  note(files: readonly { path: string; contents: Uint8Array }[]): void {
    for (const file of files) this.#files.set(file.path, Buffer.from(file.contents))
  }

  /** A file written another way (the preload module, a few hundred bytes): read back. */
  noteFile(path: string): void {
    this.#files.set(path, readFileSync(path))
  }

  /** Only the files `keep` names are still on disk: the others are let go. */
  prune(keep: ReadonlySet<string>): void {
    for (const path of this.#files.keys()) if (!keep.has(path)) this.#files.delete(path)
  }

  /** Writes the files that are gone again, with their folder and its .gitignore; their paths. */
  async restore(): Promise<string[]> {
    const files = [...this.#files].map(([path, contents]) => ({ path, contents }))
    return writeOutputs(files)
  }
}
