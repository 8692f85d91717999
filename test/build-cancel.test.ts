// A save that comes while a build runs makes that build stale: it is never
// served. It is stopped (esbuild's cancel()) rather than run to its end, so
// the follow-up with the newer save starts at once: on a 300-module
// workspace lib an in-place save's truncate started a 40-80 ms build that
// its write then threw away (trial s23 #11). The newer save is what serves.
import assert from 'node:assert/strict'
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { serve } from '../src/index.js'
import { RELOAD_CHANNEL } from '../src/reload/trace.js'
import { cleanup, projectDir, request, waitFor } from './helpers.js'

/** A chain of `count` modules, each importing the one before: a build long enough to save during. */
function chain(count: number): Record<string, string> {
  const files: Record<string, string> = { 'package.json': '{ "type": "module" }\n' }
  for (let i = 1; i <= count; i++) {
    const before = i > 1 ? `import { f${i - 1} } from './m${i - 1}.ts'\n` : ''
    files[`gen/m${i}.ts`] = `${before}export function f${i}(): number {\n  return ${i > 1 ? `f${i - 1}()` : '0'} + ${i === 1 ? 'VALUE' : '0'}\n}\n`
  }
  files['gen/m1.ts'] = `import { VALUE } from '../value.ts'\n${files['gen/m1.ts']}`
  files['value.ts'] = 'export const VALUE = 0\n'
  files['app.ts'] = `import { f${count} } from './gen/m${count}.ts'\nexport default { fetch: () => new Response(String(f${count}())) }\n`
  return files
}

test('a save while a build runs stops that build, and the newer save is served', async () => {
  const project = projectDir(chain(300))
  cleanup(project.remove)
  const server = await serve({ entry: join(project.dir, 'app.ts'), port: 0, workers: 1, log: false })
  cleanup(() => server.close())
  const phases: string[] = []
  let onBuild: (() => void) | undefined
  const onMessage = (message: unknown) => {
    const { phase } = message as { phase: string }
    phases.push(phase)
    if (phase === 'build') onBuild?.()
  }
  subscribe(RELOAD_CHANNEL, onMessage)
  cleanup(() => unsubscribe(RELOAD_CHANNEL, onMessage))

  // The second save is written as the first one's build begins: esbuild takes tens of ms over 300 modules.
  onBuild = () => {
    onBuild = undefined
    writeFileSync(join(project.dir, 'value.ts'), 'export const VALUE = 2\n')
  }
  writeFileSync(join(project.dir, 'value.ts'), 'export const VALUE = 1\n')
  await waitFor(async () => (await request(server.url)).text === '2', 20_000, 'the second save served')
  assert.ok(phases.includes('canceled'), `phases: ${phases.join(' ')}`)
  assert.equal((await request(server.url)).text, '2')
})
