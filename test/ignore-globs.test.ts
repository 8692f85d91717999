// `--ignore` globs (reload/sources.ts): what chokidar is told never to watch
// and what the watcher drops. A glob without a slash names a file or folder
// at any depth, as in .gitignore; one with a slash is a path from the
// working folder (or absolute).
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { test } from 'node:test'
import { Sources } from '../src/reload/sources.js'
import { projectDir } from './helpers.js'

test('--ignore: a glob without a slash matches names at any depth; one with a slash is a path from cwd', async () => {
  const project = projectDir({ 'src/app.ts': '' })
  try {
    const cwd = project.dir
    const sources = new Sources({ entry: join(cwd, 'src/app.ts'), cwd, watch: [], ignore: ['*.bak', 'generated/**', '.cache'], envFiles: [] })
    await sources.ready()
    const ignored = (path: string) => sources.ignored(join(cwd, path))
    assert.equal(ignored('x.bak'), true)
    assert.equal(ignored('templates/x.bak'), true)
    assert.equal(ignored('src/deep/er/x.bak'), true)
    assert.equal(ignored('templates/x.html'), false)
    assert.equal(ignored('generated/a.ts'), true)
    assert.equal(ignored('src/generated/a.ts'), false, 'a glob with a slash is anchored at cwd')
    assert.equal(ignored('src/.cache'), true)
    assert.equal(ignored('src/app.ts'), false)
    assert.equal(ignored('node_modules/x/index.js'), true, 'always ignored')
  } finally {
    project.remove()
  }
})
