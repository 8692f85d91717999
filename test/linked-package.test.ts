// A linked package (npm link, a `file:` dependency, a workspace):
// node_modules/<name> is a symlink to a folder the developer edits. Packages
// stay outside the bundle, so its files are no input of it; a save in it
// reloads all the same, and the reload serves it (not the copy a standby had
// imported when it booted).
import assert from 'node:assert/strict'
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { linkedPackageDirs } from '../src/reload/linked-packages.js'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'
import { nextReload } from './reload-helpers.js'

const LIB = {
  'package.json': '{ "name": "linked-lib", "type": "module", "exports": "./index.js" }\n',
  'index.js': "export default 'v1'\n",
}

/** A project (with `files`) whose app answers linked-lib's default export; node_modules/linked-lib is a symlink to `lib(project's dir)`. */
function linkedProject(files: Record<string, string>, lib: (dir: string) => string) {
  const project = projectDir({
    'src/app.ts': `import version from 'linked-lib'\nexport default { fetch: () => new Response(version) }\n`,
    'package.json': '{ "name": "p", "private": true }\n',
    ...files,
  })
  cleanup(project.remove)
  mkdirSync(join(project.dir, 'node_modules'), { recursive: true })
  symlinkSync(lib(project.dir), join(project.dir, 'node_modules/linked-lib'), 'dir')
  return project
}

/** Each edit of the package's index.js is served, by the reload that edit triggers. */
async function servesEdits(cli: { url: string; output(): string }, write: (text: string) => void) {
  assert.equal((await request(`${cli.url}/`)).text, 'v1')
  for (const version of ['v2', 'v3']) {
    // A standby boots and imports the package meanwhile.
    await new Promise((r) => setTimeout(r, 1000))
    write(`export default '${version}'\n`)
    await waitFor(async () => (await request(`${cli.url}/`)).text === version, 10_000, `${version} to be served\n${cli.output()}`)
  }
}

describe('a linked package', () => {
  test('outside the project, without --watch: an edit to its source reloads and is served', async () => {
    const lib = projectDir(LIB)
    cleanup(lib.remove)
    const project = linkedProject({}, () => lib.dir)
    const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    await servesEdits(cli, (text) => lib.write('index.js', text))
  })

  test('inside the project, under --watch: an edit to it is served by the reload it triggers, not one later', async () => {
    const files = Object.fromEntries(Object.entries(LIB).map(([name, text]) => [`linked/lib/${name}`, text]))
    const project = linkedProject(files, (dir) => join(dir, 'linked/lib'))
    const cli = await startCli(['src/app.ts', '--watch', 'linked/lib', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    await servesEdits(cli, (text) => project.write('linked/lib/index.js', text))
  })

  test('an atomic save of one of its files (sed -i, a safe write) is said changed; a file new in it, or renamed to a new name, added', async () => {
    const lib = projectDir(LIB)
    cleanup(lib.remove)
    const project = linkedProject({}, () => lib.dir)
    const server = await serve({ entry: join(project.dir, 'src/app.ts'), cwd: project.dir, port: 0, workers: 1, quiet: true })
    cleanup(() => server.close())
    const names = (paths: string[] | undefined) => paths?.map((path) => basename(path)).sort()
    const served = (version: string) => waitFor(async () => (await request(`${server.url}/`)).text === version, 10_000, `${version} to be served`)
    // The package's folder is watched once the first build has named the package.
    await new Promise((resolve) => setTimeout(resolve, 1000))
    let reloaded = nextReload(server)
    lib.write('index.js', "export default 'v2'\n")
    let info = await reloaded
    assert.deepEqual([names(info.changed), info.added], [['index.js'], undefined])
    await served('v2')
    // A temporary file renamed over the package's file: the package is no input of the bundle, and this was said "added".
    for (const version of ['v3', 'v4']) {
      reloaded = nextReload(server)
      writeFileSync(join(lib.dir, 'index.js.tmp'), `export default '${version}'\n`)
      renameSync(join(lib.dir, 'index.js.tmp'), join(lib.dir, 'index.js'))
      info = await reloaded
      assert.deepEqual([names(info.changed), info.added], [['index.js'], undefined], version)
      await served(version)
    }
    reloaded = nextReload(server)
    lib.write('extra.js', 'export const extra = 1\n')
    info = await reloaded
    assert.deepEqual([names(info.changed), names(info.added)], [['extra.js'], ['extra.js']])
    reloaded = nextReload(server)
    renameSync(join(lib.dir, 'extra.js'), join(lib.dir, 'renamed.js'))
    info = await reloaded
    assert.deepEqual([names(info.changed), names(info.added), names(info.deleted)], [['extra.js', 'renamed.js'], ['renamed.js'], ['extra.js']])
  })

  test('which packages count as linked: a symlink to a folder outside any node_modules, not an install', () => {
    const lib = projectDir(LIB)
    cleanup(lib.remove)
    const project = projectDir({
      'node_modules/installed/package.json': '{ "name": "installed" }\n',
      'node_modules/.pnpm/stored@1.0.0/node_modules/stored/package.json': '{ "name": "stored" }\n',
    })
    cleanup(project.remove)
    symlinkSync(lib.dir, join(project.dir, 'node_modules/linked-lib'), 'dir')
    symlinkSync(join(project.dir, 'node_modules/.pnpm/stored@1.0.0/node_modules/stored'), join(project.dir, 'node_modules/stored'), 'dir')
    const from = join(project.dir, '.hotcell', 'out')
    assert.deepEqual(linkedPackageDirs(from, ['linked-lib/sub/path.js', 'linked-lib', 'installed', 'stored', 'missing', 'node:fs']), [lib.dir])
  })
})
