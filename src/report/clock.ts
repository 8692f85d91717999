// The time of day that leads each log line: "3:04:05 PM" where the locale
// the environment names keeps a 12-hour clock, "15:04:05" elsewhere. Close to
// what Intl prints (Vite prints toLocaleTimeString()); the day period is
// always "AM"/"PM", where Intl writes "pm" or "p.m." for some English regions.
//
// Not through Intl: the first Intl.DateTimeFormat (or toLocaleString) maps
// ~5 MiB of ICU's data and allocates ~1.7 MiB in the process that formats,
// and the server formats a time for its first request line. Measured with
// examples/hello, Node 20, /proc/<pid>/smaps_rollup 6 s after the first
// request: the server process went from 82.4 to 75.0 MiB RSS.

/**
 * Regions whose English custom is the 12-hour clock (CLDR's preferred hour
 * cycle `h` for `en-<region>`). Other languages get the 24-hour clock: Intl's
 * 12-hour forms there use day periods of their own language (오후, 下午, م),
 * which this does not carry.
 */
const TWELVE_HOUR_REGIONS = new Set([
  '001',
  'AS',
  'AU',
  'BD',
  'BS',
  'CA',
  'CY',
  'EG',
  'GH',
  'GU',
  'HK',
  'IN',
  'JM',
  'MP',
  'MY',
  'NZ',
  'PH',
  'PK',
  'PR',
  'SA',
  'SG',
  'TT',
  'UM',
  'US',
  'VI',
])

/**
 * True when the locale named by the environment (LC_ALL, then LC_MESSAGES,
 * then LANG: the order in which ICU picks Node's default locale) uses a
 * 12-hour clock. Unset, `C` and `POSIX` are en-US, as they are to ICU.
 */
export function usesTwelveHourClock(env: Readonly<Record<string, string | undefined>> = process.env): boolean {
  const name = env.LC_ALL || env.LC_MESSAGES || env.LANG || ''
  // "en_US.UTF-8", "de_DE@euro", "en-GB"
  const [, language = '', region = ''] = /^([A-Za-z]+)(?:[_-]([A-Za-z]{2}|\d{3}))?/.exec(name) ?? []
  if (language === '' || language === 'C' || language === 'POSIX') return true
  if (language.toLowerCase() !== 'en') return false
  return region === '' || TWELVE_HOUR_REGIONS.has(region.toUpperCase())
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n))

/** A formatter of a Date's local time of day, in the clock `twelveHour` names. */
export function timeOfDay(twelveHour: boolean = usesTwelveHourClock()): (date: Date) => string {
  if (!twelveHour) return (date) => `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  return (date) => {
    const hours = date.getHours()
    return `${hours % 12 || 12}:${two(date.getMinutes())}:${two(date.getSeconds())} ${hours < 12 ? 'AM' : 'PM'}`
  }
}
