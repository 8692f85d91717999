import { HotcellError } from '../errors.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 }

export interface TimeRange {
  /** What a number without a unit counts: `--timeout 5000` is ms, `hotcell bench -d 3` is seconds (as wrk reads it). */
  bare: 'ms' | 's'
  minMs: number
  maxMs: number
  /** 0 is accepted below minMs (off). */
  zeroOk?: boolean
}

/** `"5s"`, `"1500ms"`, `"1m"`, `"0.5s"`, or a bare number → milliseconds. `name` is how the message names the option. */
export function parseTime(value: string | number, name: string, range: TimeRange): number {
  const text = String(value).trim()
  const match = typeof value === 'number' ? [text, text, undefined] : /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text)
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? range.bare]! : Number.NaN
  if (!Number.isFinite(ms) || ms > range.maxMs || (ms < range.minMs && !(range.zeroOk && ms === 0))) {
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${name} must be a time from ${show(range.minMs)} to ${show(range.maxMs)} such as 10s, 1500ms or 1m (got ${JSON.stringify(value)})`,
    )
  }
  return Math.round(ms)
}

function show(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
