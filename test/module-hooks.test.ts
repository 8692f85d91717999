// Module customization hooks registered for the process (module.register()
// from `--import`, as instrumentations such as OpenTelemetry's do) apply to the
// app's imports in the workers, as they would under `node --import … app.js`.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli } from './helpers.js'

describe('module hooks', () => {
  test("a resolve hook registered with --import in NODE_OPTIONS serves the app's virtual module", async () => {
    const project = projectDir({
      'package.json': '{ "type": "module" }\n',
      'register.mjs': "import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n",
      'hooks.mjs':
        "export async function resolve(specifier, context, next) {\n  if (specifier === 'my-virtual') return { url: 'data:text/javascript,export default \"from the hook\"', shortCircuit: true }\n  return next(specifier, context)\n}\n",
      'app.ts': "import virtual from 'my-virtual'\nexport default { fetch: () => new Response('virtual: ' + virtual) }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir, env: { NODE_OPTIONS: '--import ./register.mjs' } })
    cleanup(() => cli.stop())
    const res = await request(`${cli.url}/`)
    assert.equal(res.status, 200, `${res.text}\n${cli.output()}`)
    assert.equal(res.text, 'virtual: from the hook')
  })
})
