// The tools bench/reload.ts measures, each started in its own copy of the
// app: hotcell (and another build of it, for an A/B), Bun, tsx, nodemon,
// wrangler, and node --watch over esbuild --watch.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliScript } from './cli-script.js'
import { sleep } from './process-tree.js'

const BUN = process.env.BUN ?? '/work/tools/node_modules/@oven/bun-linux-x64/bin/bun'

export interface Tool {
  name: string
  /** Start the tool in `dir` on `port`; returns the processes to stop afterwards. */
  start(dir: string, port: number): ChildProcess[]
  /** The app shapes the tool can run. */
  apps?: string[]
}

const run = (cmd: string, args: string[], dir: string, env: NodeJS.ProcessEnv = {}) =>
  // Its own process group: the tools start children of their own (nodemon → tsx → node),
  // and only killing the group ends them all.
  spawn(cmd, args, { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true })

/** Every tool, for the app whose server is started by `server` (for the tools that need a server), from the repository at `root`. */
export function reloadTools(root: string, server: string): Tool[] {
  const bin = (name: string) => join(root, 'node_modules/.bin', name)
  return [
    { name: 'hotcell', start: (dir, port) => [run(process.execPath, [cliScript(join(root, 'dist')), 'app.ts', '--port', String(port), '--quiet'], dir)] },
    // A/B of a change: HOTCELL_BUILD_B=<a copy of dist/ from another commit, inside this repository (for its node_modules)>.
    ...(process.env.HOTCELL_BUILD_B
      ? [
          {
            name: 'hotcell B',
            start: (dir: string, port: number) => [
              run(process.execPath, [cliScript(process.env.HOTCELL_BUILD_B!), 'app.ts', '--port', String(port), '--quiet'], dir),
            ],
          },
        ]
      : []),
    // Bun serves a default export with fetch() itself, and node:http through its Node compatibility.
    { name: 'bun --hot', start: (dir, port) => [run(BUN, ['--hot', 'app.ts'], dir, { PORT: String(port) })] },
    { name: 'tsx watch', start: (dir, port) => [run(bin('tsx'), ['watch', '--clear-screen=false', server], dir, { PORT: String(port) })] },
    {
      name: 'nodemon + tsx',
      start: (dir, port) => [run(bin('nodemon'), ['--quiet', '--ext', 'ts', '--exec', `${bin('tsx')} ${server}`], dir, { PORT: String(port) })],
    },
    {
      name: 'wrangler dev',
      apps: ['hono'],
      start: (dir, port) => {
        writeFileSync(join(dir, 'wrangler.toml'), 'name = "bench"\nmain = "app.ts"\ncompatibility_date = "2025-01-01"\n')
        return [
          run(wrangler(root), ['dev', '--port', String(port), '--ip', '127.0.0.1', '--log-level', 'warn'], dir, { CI: 'true', WRANGLER_SEND_METRICS: 'false' }),
        ]
      },
    },
    {
      name: 'node --watch (esbuild --watch output)',
      start: (dir, port) => {
        const esbuild = run(
          bin('esbuild'),
          [server, '--bundle', '--platform=node', '--format=esm', '--packages=external', '--outfile=out/server.mjs', '--watch=forever', '--log-level=warning'],
          dir,
        )
        const node = waitForFile(join(dir, 'out/server.mjs')).then(() => run(process.execPath, ['--watch', 'out/server.mjs'], dir, { PORT: String(port) }))
        const holder = new Proxy({} as ChildProcess, {}) as ChildProcess & { later?: Promise<ChildProcess> }
        holder.later = node
        return [esbuild, holder]
      },
    },
  ]
}

/**
 * wrangler (with workerd, ~100 MB) is installed on first use into .tmp/
 * rather than being a devDependency every install of hotcell pays for.
 */
export function wrangler(root: string): string {
  const prefix = join(root, '.tmp', 'wrangler-tool')
  const file = join(prefix, 'node_modules', '.bin', 'wrangler')
  if (!existsSync(file)) {
    process.stderr.write('installing wrangler into .tmp/wrangler-tool (first run only)…\n')
    execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', 'wrangler@4'], { stdio: 'ignore' })
  }
  return file
}

async function waitForFile(path: string): Promise<void> {
  while (!existsSync(path)) await sleep(5)
}
