// The record of lately written sources (reload/writes-during-build.ts) and
// the size check it feeds (reload/unfinished-saves.ts), on real files: a
// file truncated before a build began and written again after it ended is
// found, though it is not among the build's reasons. The server-level cases
// (a write during the build, with chokidar's events held up) are in
// half-saved.test.ts.
import assert from 'node:assert/strict'
import { realpathSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { goneSinceMark, markSaves, unfinishedSaves } from '../src/reload/unfinished-saves.js'
import { WritesDuringBuild } from '../src/reload/writes-during-build.js'
import { cleanup, projectDir } from './helpers.js'

describe('writes during a build', () => {
  test('an input written lately is checked against what the build read; one written before the build and whole is not rebuilt', async () => {
    const project = projectDir({ 'a.ts': 'export const a = 1\n', 'b.ts': '' })
    cleanup(project.remove)
    const dir = realpathSync(project.dir)
    const [a, b] = [join(dir, 'a.ts'), join(dir, 'b.ts')]
    const writes = new WritesDuringBuild()
    // The save of a.ts started the build; b.ts was truncated before it began (raw events only).
    writes.seen(join(dir, 'a.ts'))
    writes.seen(join(dir, 'b.ts'))
    // A log in the same folder is not a source: not recorded.
    writes.seen(join(dir, 'app.log'))
    // What the build read: a.ts whole, b.ts empty, and c.ts, not written lately.
    const read = new Map([
      [a, 19],
      [b, 0],
      [join(dir, 'c.ts'), 5],
    ])
    assert.deepEqual(writes.recentInputs(read).sort(), [a, b])
    // b.ts gets its content after the build ended: it is the one to build again.
    setTimeout(() => writeFileSync(b, 'export const b = 2\n'), 10)
    assert.deepEqual(await unfinishedSaves([a, ...writes.recentInputs(read)], read), [b])
  })

  test('only writes after begin() make a build stale, and only those that matter', async () => {
    const project = projectDir({})
    cleanup(project.remove)
    const dir = realpathSync(project.dir)
    const writes = new WritesDuringBuild()
    writes.seen(join(dir, 'before.ts'))
    writes.begin()
    assert.equal(await writes.end(() => true), false, 'a write before the build began')
    writes.begin()
    writes.seen(join(dir, 'during.ts'))
    assert.equal(await writes.end((path) => path.endsWith('other.ts')), false, 'a write that does not matter')
    writes.begin()
    writes.seen(join(dir, 'during.ts'))
    assert.equal(await writes.end((path) => path === join(dir, 'during.ts')), true, 'a write of an input during the build')
  })
})

test('a reason is "deleted" only if it was gone as the build began and is gone still (git checkout unlinks, then writes)', () => {
  const project = projectDir({})
  cleanup(project.remove)
  const dir = project.dir
  const [restored, removed, kept] = ['restored.ts', 'removed.ts', 'kept.ts'].map((name) => join(dir, name)) as [string, string, string]
  writeFileSync(kept, 'export {}\n')
  const marks = markSaves([restored, removed, kept])
  writeFileSync(restored, 'export {}\n')
  assert.deepEqual(goneSinceMark(marks), [removed])
})
