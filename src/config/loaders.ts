// How an imported file that is not code becomes a module: `import page from
// './page.html'`, as a Cloudflare Worker project writes it. esbuild knows no
// loader for .html, .txt or .sql and failed the build ("No loader is
// configured"). wrangler imports those three as text by default; so does
// hotcell, and `loaders` in hotcell.config.ts (or serve()) adds or changes
// one, as esbuild's `loader` option: `{ '.svg': 'text', '.bin': 'binary' }`.
import { HotcellError } from '../errors.js'
import { nearestName } from './nearest-name.js'

/** The esbuild loaders that give a module hotcell's bundle can import: no file of its own beside it. */
export type Loader = 'text' | 'binary' | 'base64' | 'dataurl' | 'json' | 'js' | 'jsx' | 'ts' | 'tsx' | 'empty'
const LOADERS: readonly Loader[] = ['text', 'binary', 'base64', 'dataurl', 'json', 'js', 'jsx', 'ts', 'tsx', 'empty']

/** wrangler's default rules for text modules. */
export const DEFAULT_LOADERS: Readonly<Record<string, Loader>> = Object.freeze({ '.html': 'text', '.txt': 'text', '.sql': 'text' })

// Compiled as code, with the project's tsconfig: a loader there would turn the app's own modules into strings.
const CODE = new Set(['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'])

/** The defaults with `value` over them; `name` is how messages name the option. */
export function mustBeLoaders(value: unknown, name: string): Readonly<Record<string, Loader>> {
  if (value === undefined) return DEFAULT_LOADERS
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new HotcellError('ERR_INVALID_OPTION', `${name} must map file extensions to loaders, such as { ".svg": "text" } (got ${JSON.stringify(value)})`)
  const loaders: Record<string, Loader> = { ...DEFAULT_LOADERS }
  for (const [extension, loader] of Object.entries(value)) {
    if (!/^\.[\w-]+(?:\.[\w-]+)*$/.test(extension)) {
      const fixed = /^[\w-]+$/.test(extension) ? `: write ".${extension}"` : ', such as ".svg"'
      throw new HotcellError('ERR_INVALID_OPTION', `${name}: "${extension}" is not a file extension${fixed}`)
    }
    if (CODE.has(extension.toLowerCase()))
      throw new HotcellError(
        'ERR_INVALID_OPTION',
        `${name}: ${extension} files are code, which hotcell compiles itself; loaders are for other files (".svg", ".md", …)`,
      )
    if (!LOADERS.includes(loader as Loader)) {
      const near = typeof loader === 'string' ? nearestName(loader, LOADERS) : undefined
      throw new HotcellError(
        'ERR_INVALID_OPTION',
        `${name}["${extension}"] must be one of ${LOADERS.join(', ')} (got ${JSON.stringify(loader)})${near ? `: did you mean "${near}"?` : ''}`,
      )
    }
    loaders[extension] = loader as Loader
  }
  return Object.freeze(loaders)
}

/**
 * esbuild's "No loader is configured for ".svg" files: src/logo.svg", with
 * what to do about it; other messages as they are.
 */
export function withLoaderHint<T extends { text: string; location: { column: number; length: number; lineText: string } | null }>(message: T): T {
  const ext = /^No loader is configured for "(\.[^"]+)" files: /.exec(message.text)?.[1]
  if (!ext) return message
  const at = message.location
  const specifier = at ? at.lineText.slice(at.column, at.column + at.length).replace(/^['"`]|['"`]$/g, '') : ''
  const read = specifier.startsWith('.')
    ? `readFileSync(new URL('${specifier}', import.meta.url), 'utf8')`
    : 'readFileSync with a path built from import.meta.dirname'
  const text =
    `${message.text}. hotcell imports .html, .txt and .sql files as text; for ${ext} files add a loader in hotcell.config.ts, ` +
    `loaders: { "${ext}": "text" } ("binary" for a Uint8Array, "dataurl" for a data: URL), or read the file when the code runs: ${read}`
  return { ...message, text }
}
