// The reload line and the 'reload' event of a change whose first build is not
// served because later writes made it stale: they name every file of the
// change, not only those written after that build began, and the line says
// where the time before its build went. A 10-file "save all" from another
// process said "8 files changed", the first files of the burst left out:
// their build failed without the rest, was not shown, and its files were
// dropped.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { renameSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, test } from 'node:test'
import { resolveConfig } from '../src/config/resolve-config.js'
import { startServer } from '../src/dev-server.js'
import type { ReloadInfo } from '../src/reload/reload-info.js'
import { createLogger } from '../src/report/logger.js'
import type { HotcellServer } from '../src/server-api.js'
import { cleanup, projectDir, sink, waitFor } from './helpers.js'
import { atNextBuild, nextReload, text } from './reload-helpers.js'

const names = (info: ReloadInfo) => info.changed.map((path) => basename(path))

/** A project served with its terminal log kept: the reload lines, and every reload event. */
async function served(files: Record<string, string>) {
  const project = projectDir(files)
  cleanup(project.remove)
  const out = sink()
  const config = resolveConfig({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1 })
  const server: HotcellServer = await startServer(config, undefined, createLogger({ quiet: false, stdout: out, stderr: sink() }))
  cleanup(() => server.close())
  const reloads: ReloadInfo[] = []
  server.on('reload', (info: ReloadInfo) => reloads.push(info))
  return { project, server, reloads, log: () => out.text() }
}

describe('the reload after builds that later writes outdated', () => {
  test('a failed build outdated before it is shown: the reload after it names its files too, and it is not reported itself', async () => {
    const { project, server, reloads } = await served({
      'app.ts': "import { word } from './word'\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
    })
    // The first file of a rename saved file by file: its build fails without the rest. What comes
    // while it runs makes it stale; reload() here, pending as the build ends whatever the machine's
    // speed (a file's event can come too late for that on a fast machine, and then the failed-build
    // hold builds its files again).
    let asked: Promise<ReloadInfo> | undefined
    atNextBuild(() => {
      asked = server.reload()
    })
    project.write('word.ts', "export const renamed = 'two'\n")
    await waitFor(() => asked, 20_000, 'the build of the save')
    const info = await asked!
    // It said "reload requested" alone: the save's file was dropped with the build it made stale.
    assert.deepEqual([info.ok, names(info)], [false, ['word.ts', 'reload()']])
    assert.deepEqual(reloads.map(names), [['word.ts', 'reload()']])
  })

  test("an import given up for a later save: the reload that serves names both saves' files, and its line says what it waited for", async () => {
    const { project, server, reloads, log } = await served({
      'app.ts':
        "import { word } from './word'\nimport { pause } from './pause'\nawait new Promise((r) => setTimeout(r, pause))\nexport default { fetch: () => new Response(word) }\n",
      'word.ts': "export const word = 'one'\n",
      'pause.ts': 'export const pause = 0\n',
    })
    assert.equal(await text(server.url), 'one')
    // A save whose import takes long (a top-level await); the old code serves meanwhile.
    project.write('pause.ts', 'export const pause = 60_000\n')
    project.write('word.ts', "export const word = 'two'\n")
    await waitFor(() => /still importing after 1 s/.test(log()), 20_000, `the import under way\n${log()}`)
    // A save while it imports: it is given up, and the follow-up builds both.
    const reloaded = nextReload(server, (i) => i.ok)
    project.write('pause.ts', 'export const pause = 0\n')
    const info = await reloaded
    assert.deepEqual(names(info).sort(), ['pause.ts', 'word.ts'])
    // The import given up is not a reload of its own: it served nothing.
    assert.equal(reloads.length, 1, JSON.stringify(reloads))
    assert.equal(await text(server.url), 'two')
    // Timed from the first save: the import given up ran for a second at least, before the build that serves.
    assert.ok(info.waitMs >= 1000, `waitMs ${info.waitMs}`)
    assert.ok(info.totalMs >= info.waitMs + info.buildMs + info.loadMs)
    const line = log()
      .split('\n')
      .find((l) => l.includes('↻ 2 files changed') && !l.includes('still importing'))
    assert.ok(line, log())
    assert.ok(line.includes(` · waited ${info.waitMs.toFixed(1)} ms `), line)
    assert.match(line, /on 1 build given up for later writes\)? · build /)
  })

  test('one save with several watcher events (sed -i, a rename over the file): no build given up for later writes', async () => {
    const { project, server, log } = await served({ 'app.ts': "export default { fetch: () => new Response('v0') }\n" })
    assert.equal(await text(server.url), 'v0')
    const file = join(project.dir, 'app.ts')
    const saves: [string, () => void][] = [
      ['v1', () => execFileSync('sed', ['-i', 's/v0/v1/', file])],
      ['v2', () => execFileSync('sed', ['-i', 's/v1/v2/', file])],
      [
        'v3',
        () => {
          // Written beside the project, as an editor's or a script's temporary file in /tmp: renamed over, it is gone.
          writeFileSync(`${project.dir}-new.ts`, "export default { fetch: () => new Response('v3') }\n")
          renameSync(`${project.dir}-new.ts`, file)
        },
      ],
    ]
    for (const [version, save] of saves) {
      const reloaded = nextReload(server, (i) => i.ok)
      save()
      await reloaded
      assert.equal(await text(server.url), version)
    }
    const lines = log()
      .split('\n')
      .filter((l) => l.includes('↻'))
    assert.equal(lines.length, 3, log())
    for (const line of lines) assert.doesNotMatch(line, /given up/, line)
  })
})
