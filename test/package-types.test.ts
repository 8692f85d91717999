// The package's types are found under every moduleResolution TypeScript
// offers: node10 (what "module": "commonjs" implies, common in Express
// projects) reads package.json's top-level "types", and knows nothing of
// "exports"; node16, nodenext and bundler read "exports".
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdirSync, symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { cleanup, projectDir, ROOT } from './helpers.js'

const TSC = join(ROOT, 'node_modules/typescript/bin/tsc')

// The public types a user reaches for, each used so that a type that is not found fails the check.
const USE = `import { bench, defineConfig, serve, type HotcellServer, type ReloadInfo, type ServeOptions } from 'hotcell'
// undefined where an option is optional, as exactOptionalPropertyTypes (tsc --init's default since 5.9) demands it be allowed.
const port: number | undefined = process.env.PORT ? Number(process.env.PORT) : undefined
const options: ServeOptions = { entry: 'src/app.ts', port, handler: 'auto', log: false }
export const config = defineConfig({ handler: 'auto', timeout: undefined })
export async function start(): Promise<HotcellServer> {
  const server = await serve(options)
  const info: ReloadInfo = await server.reload()
  const stage: 'build' | 'import' | 'handler' | 'hang' | undefined = info.error?.stage
  void stage
  await server.close({ signal: undefined })
  return server
}
// With compare, the result's compare is there to read (docs/api.md's example).
export async function compare(): Promise<string> {
  const ab = await bench({ entry: 'src/app.ts', compare: 'src/app-v2.ts', rounds: 3, handler: 'auto', workers: undefined })
  return ab.compare[0]!.verdict
}
`

// A CommonJS package: app.ts is CommonJS, app.mts an ES module. Library checking on for node10 (where
// hotcell's .d.ts files import each other by .js names), off for the rest: it takes seconds of CPU each.
const CONFIGS: Record<string, { module: string; moduleResolution?: string; skipLibCheck?: boolean; exactOptionalPropertyTypes?: boolean; files: string[] }> = {
  node10: { module: 'commonjs', skipLibCheck: false, files: ['app.ts'] },
  node16: { module: 'node16', files: ['app.mts'] },
  nodenext: { module: 'nodenext', files: ['app.ts', 'app.mts'] },
  bundler: { module: 'esnext', moduleResolution: 'bundler', files: ['app.ts'] },
  exact: { module: 'nodenext', exactOptionalPropertyTypes: true, files: ['app.ts'] },
}

function tsc(dir: string, config: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, '-p', join(dir, `tsconfig.${config}.json`)], { timeout: 180_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, output: stdout + stderr })
    })
  })
}

test('TypeScript finds the types with moduleResolution node10, node16, nodenext and bundler, and with exactOptionalPropertyTypes', async () => {
  const files: Record<string, string> = { 'package.json': '{ "type": "commonjs" }\n', 'app.ts': USE, 'app.mts': USE }
  for (const [name, { files: checked, ...options }] of Object.entries(CONFIGS)) {
    const compilerOptions = { target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], ...options }
    files[`tsconfig.${name}.json`] = JSON.stringify({ compilerOptions, files: checked })
  }
  // In the repository's .tmp: @types/node resolves from the repository's node_modules, as it would from the user's.
  const project = projectDir(files)
  cleanup(project.remove)
  // The package as installed: node_modules/hotcell is its folder, package.json and dist.
  mkdirSync(join(project.dir, 'node_modules'))
  symlinkSync(ROOT, join(project.dir, 'node_modules/hotcell'), 'dir')
  const results = await Promise.all(Object.keys(CONFIGS).map(async (name) => ({ name, ...(await tsc(project.dir, name)) })))
  assert.deepEqual(
    results.map(({ name, code, output }) => `${name}: ${code === 0 ? 'ok' : output.trim()}`),
    Object.keys(CONFIGS).map((name) => `${name}: ok`),
  )
})
