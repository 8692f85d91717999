import { HotcellError } from '../errors.js'

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 }
// A bare number below this, read as milliseconds, is far more likely meant as
// seconds (`--timeout 2`): it is refused with the two spellings that say which.
const BARE_MS_MIN = 100

export interface TimeRange {
  /** What a number without a unit counts: `--timeout 5000` is ms, `hotcell bench -d 3` is seconds (as wrk reads it). */
  bare: 'ms' | 's'
  minMs: number
  maxMs: number
  /** 0 is accepted below minMs, and the message says what it means (e.g. 'no warm-up'). */
  zeroOk?: boolean | string
}

/** `"5s"`, `"1500ms"`, `"1m"`, `"0.5s"`, or a bare number → milliseconds. `name` is how the message names the option. */
export function parseTime(value: string | number, name: string, range: TimeRange): number {
  const text = String(value).trim()
  const match = typeof value === 'number' ? [text, text, undefined] : /^(\d+(?:\.\d+)?)\s*(ms|s|m)?$/.exec(text)
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] ?? range.bare]! : Number.NaN
  if (!Number.isFinite(ms) || ms > range.maxMs || (ms < range.minMs && !(range.zeroOk && ms === 0))) {
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${name} must be ${zeroText(range.zeroOk)}a time from ${show(range.minMs)} to ${show(range.maxMs)} such as 10s, 1500ms or 1m (got ${JSON.stringify(value)})`,
    )
  }
  // A number (`timeout: 5` in a config file or serve()) is the same slip as `--timeout 5`; its fix is a string there.
  if (match?.[2] === undefined && range.bare === 'ms' && ms > 0 && ms < BARE_MS_MIN) {
    const q = typeof value === 'number' ? "'" : ''
    throw new HotcellError(
      'ERR_INVALID_OPTION',
      `${name} ${text} would be ${text} ms: a number without a unit is milliseconds. Write ${q}${text}s${q} for seconds, or ${q}${text}ms${q} if milliseconds are meant`,
    )
  }
  return Math.round(ms)
}

// A message that says 100ms is the least must not be contradicted by 0 being accepted.
function zeroText(zeroOk: boolean | string | undefined): string {
  if (!zeroOk) return ''
  return typeof zeroOk === 'string' ? `0 (${zeroOk}) or ` : '0 or '
}

function show(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`
  return `${ms}ms`
}
