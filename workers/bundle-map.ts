// A bundle's source map as hotcell's code frames read it: the text of each
// source comes from the file written beside the map (the map Node reads as
// it loads the bundle goes without it: src/reload/lean-source-map.ts), or
// from the map itself where it was kept whole.
const { readFileSync } = process.getBuiltinModule('node:fs')

/** Beside `<bundle>.map`: the map's `sourcesContent` array, as JSON. */
export const SOURCES_SUFFIX = '.sources.json'

export interface BundleMap {
  version?: number
  sources?: string[]
  sourcesContent?: (string | null)[]
  mappings?: string
  names?: string[]
}

/** `<bundle>.map`, parsed, with the text of its sources; undefined when there is no map to read. */
export function readBundleMap(bundle: string): BundleMap | undefined {
  let map: BundleMap
  try {
    map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as BundleMap
  } catch {
    return undefined
  }
  map.sourcesContent ??= sourcesContentOf(bundle)
  return map
}

/** The text of each source of `bundle`'s map, in the map's order, as built; undefined when it was not written apart. */
export function sourcesContentOf(bundle: string): (string | null)[] | undefined {
  try {
    const content: unknown = JSON.parse(readFileSync(bundle + SOURCES_SUFFIX, 'utf8'))
    return Array.isArray(content) ? (content as (string | null)[]) : undefined
  } catch {
    return undefined
  }
}
