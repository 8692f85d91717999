// @fastify/autoload (the layout `fastify generate --lang=ts` makes) loads each
// file of `plugins/` and `routes/` from disk when the app starts: those .ts
// files are not in hotcell's bundle, and Node loads them as they are. Its own
// message then tells a hotcell user to "use ts-node", and a Node that strips
// types but runs the file as CommonJS says only "Cannot use import statement
// outside a module". What hotcell adds: why, and the ways out.
const CANNOT_IMPORT = /^@fastify\/autoload cannot import (?:hooks )?plugin at '([^']+)'/
// Node's SyntaxError, with the file autoload appends to it.
const RAN_AS_COMMONJS = /^Cannot use import statement outside a module at (\S+\.[cm]?tsx?):\d+/

/** The hint to append to an error's message, or ''. */
export function runtimeTypeScriptHint(message: string): string {
  const file = CANNOT_IMPORT.exec(message)?.[1] ?? RAN_AS_COMMONJS.exec(message)?.[1]
  if (!file || !/\.[cm]?tsx?$/.test(file)) return ''
  const strips = Boolean((process.features as { typescript?: unknown }).typescript)
  const why = strips
    ? `Node ${process.versions.node} strips its types but runs it as CommonJS (the nearest package.json has no "type": "module"), where import statements are a syntax error`
    : `Node ${process.versions.node} cannot run TypeScript (Node 22.18 and later strip types)`
  return (
    `\n@fastify/autoload loads this file from disk itself when the app starts: hotcell compiles only what its bundle imports, and ${why}. ` +
    `Either register the plugins and routes with imports (import support from './plugins/support'; app.register(support)), which hotcell bundles and reloads on save, ` +
    `or ${strips ? 'set "type": "module" in package.json' : 'run hotcell on Node 22.18 or later with "type": "module" in package.json'}, so that autoload import()s the files and Node strips their types.`
  )
}
