// The documented route from a clone to a project of one's own, on a machine
// with nothing but Node and npm: pack this repository, install the tarball
// into a new folder outside it, and follow the tour (docs/tour.md) as written (its
// blocks are read from README.md), in Chromium too. The consumer needs no
// build step: the tarball carries dist/.
import assert from 'node:assert/strict'
import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { launchChromium, needsChromium } from './browser.js'
import { prose, shapeOf, snippet } from './doc-snippets.js'
import { cleanup, request, ROOT, waitFor, withDeadline } from './helpers.js'

const run = promisify(execFile)
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version

/**
 * The environment of a shell the user opened: none of the npm_* variables
 * `npm test` sets (npm_config_local_prefix would point npm at this
 * repository). npm may use its cache first; the commands stay as written.
 */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_|^INIT_CWD$/i.test(name)))
  return { ...env, NO_COLOR: '1', npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' }
}

/** Run the lines of a documented shell block in `cwd`, as a user would paste them. */
async function shell(code: string, cwd: string): Promise<void> {
  await withDeadline(run('sh', ['-ec', code], { cwd, env: userEnv(), maxBuffer: 16 << 20 }), 300_000, `sh: ${code}`)
}

// The tab is checked where Chromium is installed (always in CI, where nothing is skipped).
const noBrowser = needsChromium()

describe('from a clone to a project of your own (docs/tour.md)', () => {
  test('npm pack, install the tarball into a new folder, npx hotcell src/app.ts: 200, reloads, the build error, .env', async (t) => {
    const base = mkdtempSync(join(tmpdir(), 'hotcell-tour-'))
    cleanup(() => rmSync(base, { recursive: true, force: true }))

    // The clone's half: `npm install && npm pack`. This repository is installed
    // and built already (the suite runs from its build); pack it, somewhere else.
    const pack = snippet('tour-pack').code
    assert.match(pack, /npm install && npm pack\b/)
    const tarball = /writes (\S+\.tgz)/.exec(pack)?.[1]
    assert.equal(tarball, `hotcell-${version}.tgz`, `${snippet('tour-pack').where} names the tarball npm pack writes`)
    const clone = join(base, 'hotcell-clone')
    mkdirSync(clone)
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', clone], { cwd: ROOT, env: userEnv() })

    // The project's half, as written, with the clone's folder.
    await shell(snippet('tour-project').code.replaceAll('/path/to/hotcell', clone), base)
    const tour = join(base, 'tour')
    const installed = JSON.parse(readFileSync(join(tour, 'node_modules/hotcell/package.json'), 'utf8')) as { version: string; scripts?: Record<string, string> }
    assert.equal(installed.version, version)
    // npm asks the user to approve packages with install-time scripts; the tarball is already built.
    const installTime = ['preinstall', 'install', 'postinstall', 'prepare'].filter((name) => installed.scripts?.[name])
    assert.deepEqual(installTime, [], 'the packed package.json has no install-time scripts')

    const app = snippet('tour-app').code
    const file = /^\/\/ (\S+)/.exec(app)?.[1]
    assert.equal(file, 'src/app.ts')
    const appPath = join(tour, file!)
    writeFileSync(appPath, app + '\n')

    // `echo 'NAME=hotcell' > .env`, then `npx hotcell src/app.ts`, left running.
    const lines = snippet('tour-run').code.split('\n')
    const start = lines.pop()!
    assert.equal(start, 'npx hotcell src/app.ts')
    await shell(lines.join('\n'), tour)
    // A process group of its own: npx runs hotcell as its child, and a stop must reach both.
    const hotcell = spawn('sh', ['-c', `exec ${start}`], { cwd: tour, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true })
    cleanup(() => stop(hotcell))
    let output = ''
    hotcell.stdout!.on('data', (c: Buffer) => (output += c.toString()))
    hotcell.stderr!.on('data', (c: Buffer) => (output += c.toString()))
    const url = await waitFor(() => /hotcell ready on (http:\/\/\S+)/.exec(output)?.[1], 60_000, `the ready line\n${output}`)

    // The banner, as the README shows it (the keys line only appears in a terminal).
    for (const line of snippet('tour-banner').code.split('\n')) {
      if (line.trim().startsWith('keys')) continue
      await waitFor(() => shapeOf(line).test(output), 10_000, `a banner line like: ${line}\n${output}`)
    }

    const steps = prose('docs/tour.md', 'tour-steps')
    // 1. Open it: in Chromium, the tab that will follow every step by itself.
    const page = await request(url, { headers: { 'sec-fetch-dest': 'document' } })
    assert.equal(page.status, 200)
    assert.match(page.text, /<h1>Hello, hotcell<\/h1>/)
    if (noBrowser) t.diagnostic(`the tab is not checked: ${noBrowser}`)
    const tab = noBrowser ? undefined : await (await launchChromium()).newPage()
    const tabShows = async (check: string) => void (await tab?.waitForFunction(check, undefined, { timeout: 30_000 }))
    await tab?.goto(url, { timeout: 20_000 })
    await tabShows(`document.querySelector('h1')?.textContent === 'Hello, hotcell'`)

    // 2. Edit: Hello → Hi. One reload line, as quoted; the tab reloads itself.
    assert.match(steps, /Change `Hello` to `Hi` and save/)
    writeFileSync(appPath, readFileSync(appPath, 'utf8').replace('Hello', 'Hi'))
    const reloadLine = /`(↻ src\/app\.ts changed[^`]*)`/.exec(steps)?.[1]
    assert.ok(reloadLine, 'step 2 quotes the reload line')
    // On a loaded machine the line may say a wait before "build" (the save's build given up for its second write).
    const shape = new RegExp(shapeOf(reloadLine).source.replace(' · build', '(?: · waited [^·]+)? · build'))
    await waitFor(() => shape.test(output), 20_000, `the reload line: ${reloadLine}\n${output}`)
    await tabShows(`document.querySelector('h1')?.textContent === 'Hi, hotcell'`)

    // 3. Break it: the location the README quotes is the one the page and the terminal show.
    const typed = /Type `([^`]+)` at the end and save/.exec(steps)?.[1]
    const location = /`(src\/app\.ts:\d+:\d+)`/.exec(steps)?.[1]
    assert.ok(typed && location, 'step 3 says what to type and where the error is')
    const good = readFileSync(appPath, 'utf8')
    writeFileSync(appPath, good + typed + '\n')
    await tabShows(`document.title.includes('Build failed')`)
    // Without a tab to wait on, a request can come before the watcher has seen the save.
    const broken = await waitFor(
      async () => {
        const reply = await request(url)
        return reply.status === 500 ? reply : undefined
      },
      20_000,
      'the build error page',
    )
    assert.equal(broken.status, 500)
    assert.ok(broken.text.includes(location), `the page names ${location}:\n${broken.text}`)
    if (tab) assert.ok((await tab.content()).includes(location), `the tab names ${location}`)
    await waitFor(() => output.includes(location), 10_000, `the terminal to name ${location}\n${output}`)

    // 4. Fix it: the tab comes back by itself.
    writeFileSync(appPath, good)
    await tabShows(`document.querySelector('h1')?.textContent === 'Hi, hotcell'`)
    await waitFor(async () => (await request(url)).status === 200, 20_000, 'the fixed page')

    // 5. Change .env, as written: a new generation with the new variables.
    const envCommand = /`(echo NAME=you > \.env)`/.exec(steps)?.[1]
    assert.ok(envCommand, 'step 5 gives the command')
    await shell(envCommand, tour)
    await waitFor(() => /↻ \.env changed/.test(output), 20_000, `the .env reload line\n${output}`)
    await tabShows(`document.querySelector('h1')?.textContent === 'Hi, you'`)
    assert.match((await request(url)).text, /<h1>Hi, you<\/h1>/)
    assert.doesNotMatch(output, /\n\s+at .*(dist|node_modules)\//, output)
  })
})

/** Ctrl-C, as in the terminal: SIGINT to the process group npx and hotcell share; SIGKILL if it lingers. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name)
    } catch {
      // The group is gone already.
    }
  }
  signal('SIGINT')
  await withDeadline(exited, 10_000, 'hotcell to stop').catch(() => signal('SIGKILL'))
}
