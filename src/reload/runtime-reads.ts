// The project files the app reads from disk while it runs, as its workers
// report them (workers/file-reads.ts): views a template engine reads, files
// express.static serves, a config read at import. None is in the bundle, so
// none rebuilt: a saved template changed nothing an open tab showed. Now a
// file read while answering a request reloads the open tabs (the next request
// reads it again: nothing to rebuild, and the app keeps its state), and one
// read at any other time (at import, say) reloads the workers, as a `--watch`
// path does. A file the app writes is its data, never a reason to reload: an
// app that writes what it reads (a JSON store) would reload at every write.
import { sep } from 'node:path'
import type { FilesRead } from '../pool/protocol.js'
import type { ProjectRoots } from '../report/source-files.js'
import { workspaceRoot } from './package-state.js'

export type ReadWhen = 'import' | 'request'

/**
 * The folders whose files the workers report reading: the entry's package
 * `project`, or the monorepo's root above it (a workspace package, bundled or
 * not, keeps its templates, SQL and fixtures beside its code, and a shared
 * folder at the root is the developer's too), and the linked packages found
 * outside it so far (`roots`: a `file:` dependency, `npm link`).
 * node_modules stays out (workers/file-reads.ts).
 */
export function readFolders(project: string, roots: ProjectRoots): string[] {
  const folders = [workspaceRoot(project)[0] ?? project]
  for (const dir of roots.dirs) {
    if (dir !== roots.cwd && !folders.some((folder) => dir === folder || dir.startsWith(folder + sep))) folders.push(dir)
  }
  return folders
}

export class RuntimeReads {
  readonly #read = new Map<string, ReadWhen>()
  readonly #written = new Set<string>()

  /** Take a worker's report; returns the files read for the first time. */
  add(report: FilesRead): string[] {
    for (const path of report.written) this.#written.add(path)
    const added: string[] = []
    const note = (path: string, when: ReadWhen) => {
      const was = this.#read.get(path)
      // Read at import by any generation: a change needs new workers, whatever later reads do.
      if (was === 'import' || was === when) return
      this.#read.set(path, when)
      if (was === undefined) added.push(path)
    }
    for (const path of report.atImport) note(path, 'import')
    for (const path of report.atRequest) note(path, 'request')
    return added
  }

  /** When the app read `path`, if it did and does not write it. */
  when(path: string): ReadWhen | undefined {
    return this.#written.has(path) ? undefined : this.#read.get(path)
  }

  /** The app writes `path` (its data, its log): not a reason to reload. */
  writes(path: string): boolean {
    return this.#written.has(path)
  }
}
