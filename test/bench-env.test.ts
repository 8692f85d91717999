// hotcell bench --baseline: the baseline runs the handler with the variables
// hotcell's workers get (.env, .env.local or --env-file, under the shell's environment), as
// process.env and as a fetch handler's env, or an app that needs them fails
// the baseline's check, or the two sides do different work.
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { projectDir, runCli } from './helpers.js'

const project = projectDir({
  '.env': 'HOTCELL_BENCH_NAME=fromdotenv\nHOTCELL_BENCH_LOCAL=fromdotenv\n',
  '.env.local': 'HOTCELL_BENCH_LOCAL=fromlocal\n',
  'staging.env': 'HOTCELL_BENCH_NAME=fromflag\nHOTCELL_BENCH_LOCAL=fromflag\n',
  'app.ts': `export default {
  fetch(request: Request, env: Record<string, string | undefined>): Response {
    if (!env.HOTCELL_BENCH_NAME) return new Response('no HOTCELL_BENCH_NAME', { status: 500 })
    return new Response(\`env=\${env.HOTCELL_BENCH_NAME},\${env.HOTCELL_BENCH_LOCAL} process.env=\${process.env.HOTCELL_BENCH_NAME},\${process.env.HOTCELL_BENCH_LOCAL}\`)
  },
}
`,
})
after(() => project.remove())

describe('hotcell bench --baseline and .env files', () => {
  for (const [how, flags, value] of [
    ['.env and .env.local', [], 'fromdotenv,fromlocal'],
    ['--env-file (instead of .env)', ['--env-file', 'staging.env'], 'fromflag,fromflag'],
  ] as const) {
    it(`the baseline gets the variables of ${how} as env and process.env, as the workers do: both sides answer the same body`, async () => {
      const args = ['bench', 'app.ts', '-d', '1s', '-c', '2', '-w', '1', '--warmup', '0', '-g', 'undici', '--baseline', '--json', ...flags]
      const { code, stdout, stderr } = await runCli(args, { cwd: project.dir })
      assert.equal(code, 0, stderr)
      const doc = JSON.parse(stdout) as { checks: { target: string; status: number; bodyBytes: number }[] }
      const body = `env=${value} process.env=${value}`
      assert.deepEqual(
        doc.checks.map(({ target, status, bodyBytes }) => ({ target, status, bodyBytes })),
        [
          { target: 'A', status: 200, bodyBytes: body.length },
          { target: 'baseline', status: 200, bodyBytes: body.length },
        ],
      )
    })
  }
})
