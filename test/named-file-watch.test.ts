// The watcher of files named in advance (env files, package files) on its
// own, on a real folder: creation, edits and deletion of each file are
// reported, writes to other files of the folder (an app's log, its SQLite
// file) are not.
import assert from 'node:assert/strict'
import { appendFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import type { ChangeKind } from '../src/reload/sources.js'
import { watchNamedFiles } from '../src/reload/named-file-watch.js'
import { cleanup, projectDir, waitFor } from './helpers.js'

describe('files watched by name', () => {
  test('reports add, change and unlink of the env files, and nothing for the other files of their folder', async () => {
    const project = projectDir({ 'app.log': '', '.env.local': 'A=1\n' })
    cleanup(project.remove)
    const env = join(project.dir, '.env')
    const local = join(project.dir, '.env.local')
    const seen: [ChangeKind, string][] = []
    const errors: Error[] = []
    const watch = watchNamedFiles([env, local], { onChange: (kind, path) => seen.push([kind, path]), onError: (e) => errors.push(e) })
    cleanup(() => watch.close())
    const next = async (count: number, what: string) => {
      await waitFor(() => seen.length >= count, 10_000, what)
      return seen[count - 1]
    }

    // Events of one folder arrive in order: when .env's creation is seen, the log's writes were looked at before it.
    for (let i = 0; i < 50; i++) appendFileSync(join(project.dir, 'app.log'), `request ${i}\n`)
    writeFileSync(join(project.dir, 'other.db'), 'x')
    writeFileSync(env, 'B=1\n')
    assert.deepEqual(await next(1, '.env created'), ['add', env])
    writeFileSync(env, 'B=2\n')
    assert.deepEqual(await next(2, '.env edited'), ['change', env])
    rmSync(local)
    assert.deepEqual(await next(3, '.env.local deleted'), ['unlink', local])
    writeFileSync(local, 'A=2\n')
    assert.deepEqual(await next(4, '.env.local created again'), ['add', local])
    appendFileSync(join(project.dir, 'app.log'), 'one more\n')
    rmSync(env)
    assert.deepEqual(await next(5, '.env deleted'), ['unlink', env])
    assert.equal(seen.length, 5, JSON.stringify(seen))
    assert.deepEqual(errors, [])
  })
})
