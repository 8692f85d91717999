// Flags shared by the bench/ scripts: one command with sane defaults, --short for a smoke test.
import { parseArgs } from 'node:util'
import { mustBeInteger } from '../src/config/resolve-config.js'
import { parseDuration } from '../src/bench-command/options.js'

export interface ScriptArgs {
  durationMs: number
  connections: number
  rounds: number
  short: boolean
  profile: boolean
  /** A new server process for each variant in each round, instead of one for all rounds. */
  fresh: boolean
  /** Variant ids to run, when not all. */
  only: string[] | undefined
  /** bench/throughput: the response body's size in bytes, when not the hello body. */
  body: number | undefined
}

export function scriptArgs(usage: string, defaults = { duration: '10s', connections: 50, rounds: 3 }): ScriptArgs {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      duration: { type: 'string', short: 'd' },
      connections: { type: 'string', short: 'c' },
      rounds: { type: 'string', short: 'r' },
      short: { type: 'boolean' },
      profile: { type: 'boolean' },
      fresh: { type: 'boolean' },
      only: { type: 'string' },
      body: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    process.stdout.write(usage)
    process.exit(0)
  }
  const short = values.short ?? false
  return {
    durationMs: parseDuration(values.duration ?? (short ? '2s' : defaults.duration), '--duration'),
    connections: mustBeInteger(values.connections ?? String(defaults.connections), '--connections', 1, 10_000),
    rounds: mustBeInteger(values.rounds ?? (short ? '1' : String(defaults.rounds)), '--rounds', 1, 50),
    short,
    profile: values.profile ?? false,
    fresh: values.fresh ?? false,
    only: values.only?.split(','),
    body: values.body === undefined ? undefined : mustBeInteger(values.body, '--body', 1, 16 * 1024 * 1024),
  }
}

import { median } from '../src/bench-command/stats.js'

export { median, percentile, percentileOf } from '../src/bench-command/stats.js'

export const fmt = {
  int: (n: number) => Math.round(n).toLocaleString('en-US'),
  ms: (n: number) => n.toFixed(2),
  ratio: (n: number) => n.toFixed(2),
}

/** "min–median–max" of a sample, each formatted. */
export const spread = (values: number[], format: (n: number) => string): string => {
  const sorted = [...values].sort((a, b) => a - b)
  return `${format(sorted[0]!)}–${format(median(sorted))}–${format(sorted[sorted.length - 1]!)}`
}
