// An import of a package nobody installed: the terminal and the page name the
// .ts file and line that imports it and the command that installs it, and
// nothing of hotcell's bundle or Node's loader.
import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { projectDir, request, startCli, waitFor } from './helpers.js'

const cleanups: (() => unknown)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

const APP = `// an app
import { greet } from './greet.js'
import pad from 'left-pad-that-is-not-installed/sub'

export default { fetch: () => new Response(pad(greet('x'), 10)) }
`
const GREET = `import type { Options } from '@nowhere/types-only'
export const greet = (name: string, _o?: Options) => 'hi ' + name
`

async function start(files: Record<string, string>) {
  const project = projectDir(files)
  cleanups.push(project.remove)
  const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanups.push(() => cli.stop())
  return cli
}

/**
 * A project whose app answers the version of package `name`, served by the
 * CLI; `install(version)` puts that version in node_modules as npm would
 * (and npm's record of it, node_modules/.package-lock.json).
 */
async function versionedProject(name: string, range: string) {
  const project = projectDir({
    'src/app.ts': `import version from '${name}'\nexport default { fetch: () => new Response(version) }\n`,
    'package.json': manifest(name, range),
  })
  cleanups.push(project.remove)
  const pkg = join(project.dir, 'node_modules', name)
  const install = (version: string) => {
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), `{ "name": "${name}", "version": "${version}", "type": "module", "exports": "./index.js" }\n`)
    writeFileSync(join(pkg, 'index.js'), `export default 'v${version}'\n`)
    writeFileSync(join(project.dir, 'node_modules/.package-lock.json'), `{ "packages": { "node_modules/${name}": { "version": "${version}" } } }\n`)
  }
  install('1.0.0')
  const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanups.push(() => cli.stop())
  assert.equal((await request(`${cli.url}/`)).text, 'v1.0.0')
  // The standby for the next reload boots and imports version 1 meanwhile.
  await new Promise((r) => setTimeout(r, 1000))
  return { project, cli, install }
}

const manifest = (name: string, range: string) => `{ "name": "p", "private": true, "dependencies": { "${name}": "${range}" } }\n`

describe('a package that is not installed', () => {
  test('names app.ts:3 and says npm install, in the terminal and on the page', async () => {
    const cli = await start({ 'app.ts': APP, 'greet.ts': GREET })
    const expected =
      "Cannot find package 'left-pad-that-is-not-installed', imported by app.ts:3. Install it: npm install left-pad-that-is-not-installed; hotcell reloads when package.json changes"
    await waitFor(() => cli.output().includes(expected), 10_000, `the terminal to say: ${expected}\n${cli.output()}`)
    const out = cli.output()
    assert.match(out, /> 3 \| import pad from 'left-pad-that-is-not-installed\/sub'\n\s+\|\s+\^/, out)
    assert.doesNotMatch(out, /\.hotcell|node:internal|dist\/workers/, out)
    // The r key is offered only by the last line, and only where it works (stdin a terminal; not here).
    assert.doesNotMatch(out, /press r/, out)

    const page = await request(`${cli.url}/`)
    assert.equal(page.status, 500)
    assert.ok(page.text.includes(expected), page.text)
    assert.match(page.text, /app\.ts:3:\d+/)
    assert.doesNotMatch(page.text, /\.hotcell|node:internal/, page.text)
  })

  test('installing it (package.json changes) reloads by itself: the next request is served', async () => {
    const app = `import pad from 'left-pad-that-is-not-installed'\nexport default { fetch: () => new Response(pad('hi', 6)) }\n`
    const project = projectDir({ 'src/app.ts': app, 'package.json': '{ "name": "p", "private": true }\n' })
    cleanups.push(project.remove)
    const cli = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    assert.equal((await request(`${cli.url}/`)).status, 500)
    // What \`npm install left-pad-that-is-not-installed\` does: the package appears, then package.json names it.
    const pkg = join(project.dir, 'node_modules/left-pad-that-is-not-installed')
    mkdirSync(pkg, { recursive: true })
    writeFileSync(join(pkg, 'package.json'), '{ "name": "left-pad-that-is-not-installed", "type": "module", "exports": "./index.js" }\n')
    writeFileSync(join(pkg, 'index.js'), "export default (s, n) => s.padStart(n, '*')\n")
    writeFileSync(join(project.dir, 'package.json'), '{ "name": "p", "private": true, "dependencies": { "left-pad-that-is-not-installed": "1.0.0" } }\n')
    await waitFor(async () => (await request(`${cli.url}/`)).text === '****hi', 10_000, `the installed package to be served\n${cli.output()}`)
  })

  test("installed where no package.json was yet, or in the entry's package with hotcell started from a parent folder: reloads by itself", async () => {
    const app = `import pad from 'pkg-installed-late'\nexport default { fetch: () => new Response(pad('hi', 6)) }\n`
    // What `npm install pkg-installed-late` does in `dir`: the package, then package.json (created if missing).
    const install = (dir: string) => {
      const pkg = join(dir, 'node_modules/pkg-installed-late')
      mkdirSync(pkg, { recursive: true })
      writeFileSync(join(pkg, 'package.json'), '{ "name": "pkg-installed-late", "type": "module", "exports": "./index.js" }\n')
      writeFileSync(join(pkg, 'index.js'), "export default (s, n) => s.padStart(n, '*')\n")
      writeFileSync(join(dir, 'package.json'), '{ "dependencies": { "pkg-installed-late": "^1.0.0" } }\n')
    }
    // No package.json anywhere above the project: npm creates one in the working folder.
    const bare = projectDir({ 'src/app.ts': app }, { outside: true })
    cleanups.push(bare.remove)
    const first = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: bare.dir })
    cleanups.push(() => first.stop())
    assert.equal((await request(`${first.url}/`)).status, 500)
    install(bare.dir)
    await waitFor(async () => (await request(`${first.url}/`)).text === '****hi', 10_000, `the package installed with a new package.json\n${first.output()}`)
    // Started from the folder above the project: the install happens in the entry's package, not the working folder.
    const nested = projectDir({ 'p/src/app.ts': app, 'p/package.json': '{ "name": "p", "private": true }\n' })
    cleanups.push(nested.remove)
    const second = await startCli(['p/src/app.ts', '--port', '0', '--workers', '1'], { cwd: nested.dir })
    cleanups.push(() => second.stop())
    assert.equal((await request(`${second.url}/`)).status, 500)
    install(join(nested.dir, 'p'))
    await waitFor(async () => (await request(`${second.url}/`)).text === '****hi', 10_000, `the package installed in p/\n${second.output()}`)
  })

  test('upgrading a package (package.json changes) serves the new version, not the one a standby had loaded', async () => {
    const { project, cli, install } = await versionedProject('pkg-that-gets-upgraded', '1.0.0')
    // What `npm install pkg-that-gets-upgraded@2` does: the package changes, then package.json.
    install('2.0.0')
    writeFileSync(join(project.dir, 'package.json'), manifest('pkg-that-gets-upgraded', '2.0.0'))
    await waitFor(async () => (await request(`${cli.url}/`)).text === 'v2.0.0', 10_000, `version 2 to be served\n${cli.output()}`)
  })

  test('npm update (its lockfiles change, package.json does not) reloads and serves the new version', async () => {
    const { cli, install } = await versionedProject('pkg-that-gets-updated', '^1.0.0')
    install('1.1.0')
    await waitFor(async () => (await request(`${cli.url}/`)).text === 'v1.1.0', 10_000, `version 1.1.0 to be served\n${cli.output()}`)
  })

  test("the install command is the project's package manager's", async () => {
    const cli = await start({ 'app.ts': APP, 'greet.ts': GREET, 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n" })
    await waitFor(() => cli.output().includes('Install it: pnpm add left-pad-that-is-not-installed'), 10_000, `pnpm add\n${cli.output()}`)
  })

  test('a package of the monorepo itself: the command adds it from the workspace, not from the registry', async () => {
    const app = "import { fresh } from '@acme/fresh'\nexport default { fetch: () => new Response(fresh) }\n"
    const workspace = {
      'packages/fresh/package.json': '{ "name": "@acme/fresh", "version": "0.0.0", "exports": "./src/index.ts" }\n',
      'packages/fresh/src/index.ts': "export const fresh = 'fresh'\n",
      'apps/web/package.json': '{ "name": "web", "private": true, "type": "module" }\n',
      'apps/web/app.ts': app,
    }
    const pnpm = projectDir({
      ...workspace,
      'pnpm-workspace.yaml': "packages:\n  - 'apps/*'\n  - packages/*  # libraries\n",
      'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
    })
    const npm = projectDir({ ...workspace, 'package.json': '{ "private": true, "workspaces": ["apps/*", "packages/**"] }\n', 'package-lock.json': '{}\n' })
    cleanups.push(pnpm.remove, npm.remove)
    for (const [project, expected] of [
      [pnpm, 'Install it: pnpm add @acme/fresh --workspace; hotcell reloads'],
      [npm, 'Install it: npm install after adding "@acme/fresh": "*" to the dependencies of package.json; hotcell reloads'],
    ] as const) {
      const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: join(project.dir, 'apps/web') })
      cleanups.push(() => cli.stop())
      await waitFor(() => cli.output().includes(expected), 10_000, `${expected}\n${cli.output()}`)
    }
  })
})

describe('a named import that a package does not have', () => {
  // In an ES module source: a CommonJS source gets every name of module.exports (commonjs-packages.test.ts).
  test("a CommonJS package whose module.exports has the name: Node's advice, the default import; an ES package: the importing line only", async () => {
    const project = projectDir({
      'package.json': '{ "name": "p", "private": true, "type": "module" }\n',
      'app.ts': `import { capitalize } from 'cjslib'\nexport default { fetch: () => new Response(capitalize('hi')) }\n`,
      // Names assigned to a local object: Node's CommonJS lexer cannot find them, as with lodash.
      'node_modules/cjslib/package.json': '{ "name": "cjslib", "version": "1.0.0", "main": "index.js" }\n',
      'node_modules/cjslib/index.js': 'const lib = {}\nlib.capitalize = (s) => s[0].toUpperCase() + s.slice(1)\nmodule.exports = lib\n',
      'node_modules/eslib/package.json': '{ "name": "eslib", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
      'node_modules/eslib/index.js': 'export const other = 1\n',
    })
    cleanups.push(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    const page = await request(cli.url)
    assert.equal(page.status, 500)
    assert.match(page.text, /'cjslib'/)
    assert.match(page.text, /import (?:pkg|cjslib) from 'cjslib'/, page.text)
    assert.match(page.text, /> 1 \| import \{ capitalize \} from 'cjslib'/)
    project.write('app.ts', `import { capitalize } from 'eslib'\nexport default { fetch: () => new Response(capitalize('hi')) }\n`)
    await waitFor(async () => /'eslib'/.test((await request(cli.url)).text), 20_000, 'the reload to the ES package')
    const esPage = await request(cli.url)
    assert.match(esPage.text, /does not provide an export named 'capitalize'/)
    assert.doesNotMatch(esPage.text, /CommonJS|import (?:pkg|eslib) from/)
    assert.match(esPage.text, /> 1 \| import \{ capitalize \} from 'eslib'/)
  })
})

describe('a package whose entry file is missing', () => {
  test('names the package, its entry, the importing line, and what to do', async () => {
    const project = projectDir({
      'package.json': '{ "name": "p", "private": true }\n',
      'app.ts': `import { lib } from '@acme/unbuilt'\nexport default { fetch: () => new Response(lib) }\n`,
      'node_modules/@acme/unbuilt/package.json': '{ "name": "@acme/unbuilt", "type": "module", "exports": "./dist/index.js" }\n',
    })
    cleanups.push(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanups.push(() => cli.stop())
    const page = await request(cli.url)
    assert.equal(page.status, 500)
    assert.match(
      page.text,
      /Cannot find dist\/index\.js, the entry that '@acme\/unbuilt' names in its package\.json, imported by app\.ts:1: the package is not built yet\?/,
    )
    assert.match(page.text, /> 1 \| import \{ lib \} from '@acme\/unbuilt'/)
    assert.doesNotMatch(page.text, /\.hotcell[\\/]/)
  })
})
