// bench/throughput's server matrix: the references a user would otherwise run
// (node:http, Hono on @hono/node-server, Express on node:http), the raw-Worker
// floor, hotcell's variants and, with HOTCELL_BUILD_B, another build's; and
// which of them a run measures (--only, --body).
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { ScriptArgs } from './script-args.js'
import { startChild, startCommand, type ChildServer } from './servers/start.js'
import { cliScript } from './cli-script.js'

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url))
const HELLO = repo('bench/apps/hello.ts')
export const HONO = repo('bench/apps/hono.ts')
const NODE_HELLO = repo('bench/apps/node-hello.ts')
export const EXPRESS = repo('bench/apps/express.ts')
const SIZED = repo('bench/apps/sized.ts')
/** Where --profile's hotcell servers write their CPU profiles, one folder per variant. */
export const profileDir = repo('.tmp/profiles')

// A/B of a change: HOTCELL_BUILD_B=<a copy of dist/ from another commit, kept inside this repository so that
// its imports resolve> adds that build's fetch hello, Hono and Node hello (--workers 1; pick with --only
// hello-1-b,hono-1-b,node-1-b) to the same interleaved rounds; with --body, that build's sized app (sized-1-b).
const buildB = process.env.HOTCELL_BUILD_B

export interface Variant {
  id: string
  name: string
  /** The reference this variant is a ratio of. */
  against: 'plain' | 'hono-ns' | 'express-http' | null
  start(): Promise<ChildServer>
  workers: number
}

/** Every variant. `honoBundle`, `expressBundle`: the apps as the references import them (the bundle hotcell serves). */
export function allVariants(args: ScriptArgs, honoBundle: string, expressBundle: string): Variant[] {
  const server = (name: string) => new URL(`./servers/${name}.js`, import.meta.url)
  const hotcell = (id: string, entry: string, workers: number | 'default') => () => {
    const execArgv = args.profile ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${profileDir}/${id}`] : []
    return startChild(server('hotcell-server'), [entry, String(workers)], execArgv)
  }
  return [
    { id: 'plain', name: 'node:http res.end()', against: null, workers: 0, start: () => startChild(server('plain-http'), []) },
    { id: 'hono-ns', name: 'Hono on @hono/node-server', against: null, workers: 0, start: () => startChild(server('hono-node-server'), [honoBundle]) },
    // No hotcell code: node:http, one raw Worker, batched both ways (servers/batched-hop.ts).
    {
      id: 'hop',
      name: 'node:http → a raw Worker → back, batched per turn (no hotcell code)',
      against: 'plain',
      workers: 1,
      start: () => startChild(server('batched-hop'), []),
    },
    { id: 'hello', name: 'hotcell, fetch hello (serve(), default workers, quiet)', against: 'plain', workers: 1, start: hotcell('hello', HELLO, 'default') },
    { id: 'hello-1', name: 'hotcell --workers 1, fetch hello (serve(), quiet)', against: 'plain', workers: 1, start: hotcell('hello-1', HELLO, 1) },
    {
      id: 'hello-cli',
      name: 'the hotcell command, fetch hello (defaults: request log to a pipe, watching)',
      against: 'plain',
      workers: 1,
      start: () => startCommand(pathToFileURL(cliScript(fileURLToPath(new URL('..', import.meta.url)))), [HELLO]),
    },
    // The lean door's share: the same server with every request read by node:http (src/http/lean/).
    {
      id: 'hello-1-nodehttp',
      name: 'hotcell --workers 1, fetch hello, every request through node:http (HOTCELL_NODE_HTTP=1)',
      against: 'plain',
      workers: 1,
      start: () => startChild(server('hotcell-server'), [HELLO, '1'], [], undefined, { HOTCELL_NODE_HTTP: '1' }),
    },
    { id: 'hono-1', name: 'hotcell --workers 1, Hono hello', against: 'hono-ns', workers: 1, start: hotcell('hono-1', HONO, 1) },
    { id: 'node-1', name: 'hotcell --workers 1, Node (req, res) hello', against: 'plain', workers: 1, start: hotcell('node-1', NODE_HELLO, 1) },
    // The size of a body: only with --body, against plain node:http answering the same bytes.
    { id: 'sized-1', name: `hotcell --workers 1, a ${args.body ?? 0}-byte string body`, against: 'plain', workers: 1, start: hotcell('sized-1', SIZED, 1) },
    {
      id: 'express-http',
      name: 'Express on node:http',
      against: null,
      workers: 0,
      start: () => startChild(server('express-http'), [expressBundle]),
    },
    {
      id: 'express',
      name: 'hotcell, Express hello (serve(), default workers, quiet)',
      against: 'express-http',
      workers: 1,
      start: hotcell('express', EXPRESS, 'default'),
    },
    { id: 'express-1', name: 'hotcell --workers 1, Express hello', against: 'express-http', workers: 1, start: hotcell('express-1', EXPRESS, 1) },
    ...(buildB
      ? [
          {
            id: 'hello-1-b',
            name: `hotcell --workers 1, fetch hello, build ${buildB}`,
            against: 'plain' as const,
            workers: 1,
            start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [HELLO, '1']),
          },
          {
            id: 'hono-1-b',
            name: `hotcell --workers 1, Hono hello, build ${buildB}`,
            against: 'hono-ns' as const,
            workers: 1,
            start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [HONO, '1']),
          },
          {
            id: 'sized-1-b',
            name: `hotcell --workers 1, a ${args.body ?? 0}-byte string body, build ${buildB}`,
            against: 'plain' as const,
            workers: 1,
            start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [SIZED, '1']),
          },
          {
            id: 'node-1-b',
            name: `hotcell --workers 1, Node (req, res) hello, build ${buildB}`,
            against: 'plain' as const,
            workers: 1,
            start: () => startChild(new URL(`file://${buildB}/bench/servers/hotcell-server.js`), [NODE_HELLO, '1']),
          },
        ]
      : []),
  ]
}

/** The variants a run measures (--only, each with its reference; --body: the sized ones); exits 2 on a choice that measures nothing meaningful. */
export function chosenVariants(allVariants: Variant[], args: ScriptArgs, log: (line: string) => void): Variant[] {
  // A variant's reference always runs with it.
  const SIZED_IDS = new Set(['plain', 'sized-1', 'sized-1-b'])
  if (args.body !== undefined && args.only?.some((id) => !SIZED_IDS.has(id))) {
    log('--body measures only plain, sized-1 and sized-1-b (with HOTCELL_BUILD_B): the other variants answer the hello body.')
    process.exit(2)
  }
  if (args.body === undefined && args.only?.some((id) => id.startsWith('sized-1'))) {
    log('sized-1 needs --body <bytes>: the size of the body it answers.')
    process.exit(2)
  }
  const only = args.only ?? (args.body === undefined ? undefined : buildB ? ['sized-1', 'sized-1-b'] : ['sized-1'])
  const wanted = only && new Set(only.flatMap((id) => [id, ...allVariants.filter((v) => v.id === id && v.against).map((v) => v.against!)]))
  return wanted ? allVariants.filter((v) => wanted.has(v.id)) : allVariants.filter((v) => !v.id.startsWith('sized-1'))
}
