// The bundle's source map without the text of its sources, which goes to a
// file beside it. Node reads and parses a module's whole source map as it
// loads it (the workers turn source maps on, for stacks in the user's .ts
// files): with the text of every source in the map, even of what the bundle
// does not keep, 80 modules of 565 KB of TypeScript in a 15 KB bundle (its
// map 565 KB, 18 KB without the text) took 3-4 ms longer to load in a fresh
// worker, at every reload, and each worker kept the text in its heap. The text is read only for a code frame of an error
// (workers/bundle-map.ts), and comes from the file written with the bundle:
// the code as it was built, not as saved since.
import { SOURCES_SUFFIX } from '../../workers/bundle-map.js'

interface Output {
  path: string
  contents: Uint8Array
}

// esbuild writes a map's keys in this order, one per line: the text is the
// whole value between these two. (A JSON string holds no raw line break.)
const CONTENT_KEY = Buffer.from('\n  "sourcesContent": ')
const NEXT_KEY = Buffer.from(',\n  "mappings": ')

/** `files` with each `.map` of a bundle split in two: the map without `sourcesContent`, and that array in a file of its own. A map laid out otherwise stays whole. */
export function withLeanMaps(files: readonly Output[]): Output[] {
  const split: Output[] = []
  for (const file of files) {
    if (!file.path.endsWith('.mjs.map')) {
      split.push(file)
      continue
    }
    const bytes = Buffer.from(file.contents.buffer, file.contents.byteOffset, file.contents.byteLength)
    const key = bytes.indexOf(CONTENT_KEY)
    const next = key === -1 ? -1 : bytes.indexOf(NEXT_KEY, key)
    if (next === -1) {
      split.push(file)
      continue
    }
    // The comma that ended "sources" ends it still: "mappings" follows it.
    split.push({ path: file.path, contents: Buffer.concat([bytes.subarray(0, key), bytes.subarray(next + 1)]) })
    split.push({ path: file.path.slice(0, -'.map'.length) + SOURCES_SUFFIX, contents: bytes.subarray(key + CONTENT_KEY.length, next) })
  }
  return split
}
