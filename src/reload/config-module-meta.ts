// `import.meta.url`, `import.meta.dirname`, `import.meta.filename`,
// `__dirname` and `__filename` in a config file (and the files it imports)
// as the source file has them, not as its bundle in .hotcell/ would:
// `static: fileURLToPath(new URL('./public', import.meta.url))` then names
// the folder beside the config. The app's bundle does this at run time
// (workers/module-meta.ts), since a per-file plugin would cost every rebuild;
// a config is built once per start or save, from a few files, so here each
// file gets its own values at build time: an import appended to it (imports
// are hoisted, and nothing of the file moves, so its source map stays true).
import type { Plugin } from 'esbuild'
import { readFile } from 'node:fs/promises'
import { dirname, extname } from 'node:path'
import { pathToFileURL } from 'node:url'
import { metaDefine } from '../../workers/module-meta-names.js'

const BINDING = '__hotcellConfigMeta'
const NAMESPACE = 'hotcell-config-meta'

/**
 * esbuild's `define` for the config bundle: the app bundle's names, held by
 * each file's own binding. A config is never the main module: `import.meta.main`
 * is false, as Node 24 has it (undefined on older Node without this).
 */
export const configMetaDefine = { ...metaDefine(BINDING), 'import.meta.main': 'false' }

const LOADERS: Record<string, 'ts' | 'tsx' | 'js' | 'jsx'> = {
  '.ts': 'ts',
  '.mts': 'ts',
  '.cts': 'ts',
  '.tsx': 'tsx',
  '.js': 'js',
  '.mjs': 'js',
  '.cjs': 'js',
  '.jsx': 'jsx',
}
const MENTIONS = /import\.meta|__dirname|__filename/
// An import makes a file ESM in esbuild's eyes: a CommonJS file keeps its module.exports.
const IS_ESM = /^\s*(?:import|export)\b/m

export const configModuleMeta: Plugin = {
  name: 'hotcell-config-meta',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/, namespace: 'file' }, async ({ path }) => {
      const loader = LOADERS[extname(path)]
      if (!loader || path.includes('/node_modules/')) return undefined
      const text = await readFile(path, 'utf8')
      if (!MENTIONS.test(text) || !IS_ESM.test(text)) return undefined
      return { contents: `${text}\nimport ${BINDING} from ${JSON.stringify(`${NAMESPACE}:${path}`)}\n`, loader }
    })
    build.onResolve({ filter: new RegExp(`^${NAMESPACE}:`) }, ({ path }) => ({ path: path.slice(NAMESPACE.length + 1), namespace: NAMESPACE }))
    build.onLoad({ filter: /.*/, namespace: NAMESPACE }, ({ path }) => ({
      contents: `export default ${JSON.stringify({ url: pathToFileURL(path).href, dirname: dirname(path), filename: path })}`,
      loader: 'js',
    }))
  },
}
