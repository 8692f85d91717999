// Source files esbuild wraps as CommonJS (no import/export syntax: an entry in
// npm init's "type": "commonjs" package, a file of require() and
// module.exports) run inside a helper of esbuild's, `__commonJS`. Two of its
// traits show up in the developer's terms:
// - it makes each file's `module` as `{ exports: {} }`: no filename, and not
//   the entry's `require.main`. The helper is made to ask the workers for the
//   file's module object instead (workers/commonjs-modules.ts);
// - the entry's wrapper is called from the bundle's last line, `export default
//   require_app()`, which the source map does not cover: Node's lookup took
//   the mapping before it, the wrapper's end, and a top-level throw showed a
//   second frame past the end of the source line (`app.ts:1:47` of a 46
//   character line). That line is marked unmapped, so its frame names the
//   bundle, and reports drop it as esbuild's code (workers/stack-lines.ts).
// Only bundles with such a file pay: one search of the text otherwise.
import { COMMONJS_HELPER_MODULE, COMMONJS_HOOKED_MODULE } from '../../workers/module-meta-names.js'

interface Output {
  path: string
  contents: Uint8Array
}

// The bundle's last statement calls the entry's wrapper.
const ENTRY_CALL = /\nexport default require_[\w$]+\(\);\n/g
const MAPPINGS = /("mappings": ?")([^"]*)"/

/** The outputs with the `.mjs` bundle's CommonJS helper hooked and its entry call unmapped. */
export function rewriteCommonJsWrappers(files: readonly Output[]): readonly Output[] {
  const bundle = files.find((file) => file.path.endsWith('.mjs'))
  if (!bundle) return files
  // Searched as bytes: most bundles have no such file, and are not decoded.
  const bytes = Buffer.from(bundle.contents.buffer, bundle.contents.byteOffset, bundle.contents.byteLength)
  if (bytes.indexOf(COMMONJS_HELPER_MODULE) === -1) return files
  const code = bytes.toString('utf8')
  const helperAt = code.indexOf(COMMONJS_HELPER_MODULE)
  const hooked = code.slice(0, helperAt) + COMMONJS_HOOKED_MODULE + code.slice(helperAt + COMMONJS_HELPER_MODULE.length)
  const lines = [...hooked.matchAll(ENTRY_CALL)].map((match) => lineOf(hooked, match.index + 1))
  return files.map((file) => {
    if (file === bundle) return { path: file.path, contents: Buffer.from(hooked) }
    if (file.path === `${bundle.path}.map` && lines.length)
      return { path: file.path, contents: Buffer.from(unmapped(Buffer.from(file.contents).toString('utf8'), lines)) }
    return file
  })
}

/** 0-based line of the offset. */
function lineOf(text: string, offset: number): number {
  let line = 0
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

/**
 * The source map with a segment of one field (a generated column, no source)
 * starting each of `lines` that has no mapping of its own: Node's lookup then
 * finds no source there, rather than the mapping of an earlier line.
 */
function unmapped(map: string, lines: readonly number[]): string {
  return map.replace(MAPPINGS, (_, key: string, mappings: string) => {
    const groups = mappings.split(';')
    for (const line of lines) {
      // And a group after it: Node's parser reads a last segment of one field as one with the source before it.
      while (groups.length <= line + 1) groups.push('')
      if (groups[line] === '') groups[line] = 'A'
    }
    return `${key}${groups.join(';')}"`
  })
}
