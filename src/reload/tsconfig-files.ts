// The TypeScript configs a build reads without esbuild listing them as
// inputs: the nearest tsconfig.json (or jsconfig.json) to each source, and
// what it extends. A `paths` alias or a `jsx` option edited there changes the
// bundle, but the folder holding it is often above every watched one (the
// entry in src/, the config beside package.json): it is watched by name.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, resolve, sep } from 'node:path'
import { packageName } from '../../workers/missing-package.js'
import { packageDir } from './linked-packages.js'

const NAMES = ['tsconfig.json', 'jsconfig.json']
// Deep enough for a base of a base; a cycle ends here too.
const MAX_EXTENDS = 5

/**
 * The configs in every folder from the entry's up to `top` (its package's,
 * or the working folder above it; present or not: one created later applies too), and the files the present ones
 * extend, by a relative path or from a linked package (extendsOf()).
 */
export function tsconfigFiles(entry: string, top: string): string[] {
  const files: string[] = []
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    for (const name of NAMES) files.push(join(dir, name))
    if (dir === top || !dir.startsWith(top + sep) || dirname(dir) === dir) break
  }
  const all = new Set(files)
  let next = files.filter((file) => existsSync(file))
  for (let depth = 0; depth < MAX_EXTENDS && next.length; depth++) {
    next = next.flatMap(extendsOf).filter((file) => !all.has(file) && existsSync(file))
    for (const file of next) all.add(file)
  }
  return [...all]
}

/**
 * The `extends` of a config (a string or, TypeScript 5, an array; read
 * leniently, as it may hold comments): relative ones, and those from a linked
 * package (`@repo/tsconfig/base.json` of a workspace), as real paths. A
 * config of an installed package changes with node_modules, watched already.
 */
function extendsOf(file: string): string[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  const value = /"extends"\s*:\s*("[^"]*"|\[[^\]]*\])/.exec(text)?.[1]
  if (!value) return []
  const names = [...value.matchAll(/"([^"]*)"/g)].map((m) => m[1]!)
  return names.flatMap((name) => {
    if (name.startsWith('.')) return [resolve(dirname(file), name.endsWith('.json') ? name : `${name}.json`)]
    const found = packageConfig(dirname(file), name)
    return found && !found.split(sep).includes('node_modules') ? [found] : []
  })
}

/**
 * The file `extends: "<package>[/<file>]"` names, as TypeScript finds it from
 * folder `from`: the file in the package (`.json` added when absent), or with
 * no file, the package's "tsconfig" field or its tsconfig.json.
 */
function packageConfig(from: string, specifier: string): string | undefined {
  const name = packageName(specifier)
  const dir = packageDir(from, name)
  if (dir === undefined) return undefined
  const subpath = specifier.slice(name.length + 1)
  if (subpath) return existsSync(join(dir, subpath)) || subpath.endsWith('.json') ? join(dir, subpath) : join(dir, `${subpath}.json`)
  let field: unknown
  try {
    field = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { tsconfig?: unknown }).tsconfig
  } catch {
    // No package.json, or not JSON: TypeScript looks for tsconfig.json then.
  }
  return join(dir, typeof field === 'string' ? field : 'tsconfig.json')
}
