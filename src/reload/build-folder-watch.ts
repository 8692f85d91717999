// The build folder (.hotcell/) deleted while the server runs (`git clean
// -fdx`, "clear the cache"): the served bundle's files are gone, and a worker
// replacing a crashed one could not import them (its error blamed the
// entry). A build writes them again at once (the same bundle, by its content
// hash: nothing reloads, build-dirs.ts makes the folder again); the next save
// would have, but a crash may come first.
import { dirname } from 'node:path'
import { watchNamedFiles, type NamedFileWatch } from './named-file-watch.js'

/** Call `onGone(folder)` when the folder holding `outDir` is deleted. One fs.watch, on its parent folder, filtered by name. */
export function watchBuildFolder(outDir: string, onGone: (folder: string) => void): NamedFileWatch {
  const folder = dirname(outDir)
  return watchNamedFiles([folder], {
    onChange: (kind) => {
      if (kind === 'unlink') onGone(folder)
    },
    // Without the watch, the next save still writes the folder again.
    onError: () => {},
  })
}
