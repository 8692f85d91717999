// A folder inside a watched root deleted and made again, over and over (a
// code generator with a clean step: openapi-generator, graphql-codegen,
// prisma generate): every save in it must be served afterwards
// (src/reload/replaced-folders.ts). chokidar kept the deleted folder's dead
// watch when the new folder was there before it read the parent again: a
// generator in this process finishes before chokidar handles any event, so
// the first run lost the folder, and no later save in it was served.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { cleanup, projectDir, waitFor } from './helpers.js'
import { text } from './reload-helpers.js'

const FILES = 20
const RUNS = 6

async function serveGenerated(folder: string) {
  const project = projectDir({
    'package.json': '{ "type": "module" }\n',
    'src/app.ts': `import { TAG, count } from './${folder}/index'\nexport default { fetch: () => new Response(TAG + ' ' + count) }\n`,
  })
  cleanup(project.remove)
  const gen = join(project.dir, 'src', folder)
  /** `rm -rf`, `mkdir`, the files, index.ts last: as the generators do. */
  const generate = (tag: string, top = gen) => {
    rmSync(top, { recursive: true, force: true })
    mkdirSync(gen, { recursive: true })
    let index = ''
    for (let i = 0; i < FILES; i++) {
      writeFileSync(join(gen, `f${i}.ts`), `export const v${i} = '${tag}'\n`)
      index += `export { v${i} } from './f${i}'\n`
    }
    writeFileSync(join(gen, 'index.ts'), `${index}export const TAG = '${tag}'\nexport const count = ${FILES}\n`)
  }
  /** An editor's atomic save of index.ts: a temporary file renamed over it. */
  const handEdit = (tag: string, extra = '') => {
    let index = ''
    for (let i = 0; i < FILES; i++) index += `export { v${i} } from './f${i}'\n`
    writeFileSync(join(gen, 'index.ts.tmp'), `${index}${extra}export const TAG = '${tag}'\nexport const count = ${FILES}\n`)
    renameSync(join(gen, 'index.ts.tmp'), join(gen, 'index.ts'))
  }
  generate('gen0')
  const server = await serve({ entry: join(project.dir, 'src/app.ts'), port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
  cleanup(() => server.close())
  const served = (tag: string, what: string) => waitFor(async () => (await text(server.url)) === `${tag} ${FILES}`, 10_000, what)
  await served('gen0', 'the first build')
  return { gen, generate, handEdit, served }
}

describe('a folder inside the root deleted and made again', () => {
  test('a generator run again and again: each run, and a save after it, is served', async () => {
    const { gen, generate, handEdit, served } = await serveGenerated('gen')
    for (let run = 1; run <= RUNS; run++) {
      generate(`gen${run}`)
      await served(`gen${run}`, `the generator's run ${run}`)
      handEdit(`hand${run}`)
      await served(`hand${run}`, `a save of src/gen/index.ts after the generator's run ${run}`)
    }
    // A new file in the folder, imported by an in-place write of index.ts.
    writeFileSync(join(gen, 'extra.ts'), "export const extra = 'x'\n")
    handEdit('last', "export { extra } from './extra'\n")
    await served('last', 'a new file and a save after the last run')
  })

  test('a folder two levels down, its parent deleted with it', async () => {
    const { gen, generate, handEdit, served } = await serveGenerated('api/gen')
    for (let run = 1; run <= RUNS; run++) {
      generate(`gen${run}`, join(gen, '..'))
      await served(`gen${run}`, `the generator's run ${run}`)
      handEdit(`hand${run}`)
      await served(`hand${run}`, `a save of src/api/gen/index.ts after the generator's run ${run}`)
    }
  })
})
