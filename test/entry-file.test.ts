// The entry named as a folder: the message guesses the file meant, in the
// folder or, for a package's folder (\`hotcell apps/web\` from a monorepo's
// root), in its src/.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { mustBeEntry } from '../src/config/entry-file.js'
import { cleanup, projectDir } from './helpers.js'

describe('an entry that is a folder', () => {
  test("a package's folder: the file in its src/ is named", () => {
    const project = projectDir({ 'apps/web/package.json': '{}\n', 'apps/web/src/app.tsx': 'export default {}\n', 'apps/api/index.ts': '' })
    cleanup(project.remove)
    assert.throws(() => mustBeEntry('apps/web', project.dir, ''), {
      code: 'ERR_ENTRY_NOT_FOUND',
      message: 'entry must be a file, but apps/web is a folder. Did you mean apps/web/src/app.tsx?',
    })
    // A usual name in the folder itself is the guess before src/.
    assert.throws(() => mustBeEntry('apps/api', project.dir, ''), {
      message: 'entry must be a file, but apps/api is a folder. Did you mean apps/api/index.ts?',
    })
  })
})
