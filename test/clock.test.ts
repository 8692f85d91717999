// The log's time of day and counts are written without Intl (clock.ts,
// thousands.ts); these check them against what Intl writes for the same
// locale, where the two are meant to agree.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { describe, test } from 'node:test'
import { timeOfDay, usesTwelveHourClock } from '../src/report/clock.js'
import { thousands } from '../src/report/thousands.js'

const afternoon = new Date(2026, 0, 2, 15, 4, 5)
const morning = new Date(2026, 0, 2, 9, 0, 7)
const midnight = new Date(2026, 0, 2, 0, 4, 5)
const noon = new Date(2026, 0, 2, 12, 30, 0)

describe('time of day', () => {
  test('en-US: a 12-hour clock, as Intl writes it', () => {
    const format = timeOfDay(true)
    const intl = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', second: '2-digit' })
    for (const date of [afternoon, morning, midnight, noon]) assert.equal(format(date), intl.format(date))
    assert.equal(format(midnight), '12:04:05 AM')
    assert.equal(format(noon), '12:30:00 PM')
  })

  test('elsewhere: a 24-hour clock, as toLocaleTimeString() writes it for de-DE', () => {
    const format = timeOfDay(false)
    for (const date of [afternoon, morning, midnight, noon]) assert.equal(format(date), date.toLocaleTimeString('de-DE'))
    assert.equal(format(morning), '09:00:07')
  })

  test('the clock is read from LC_ALL, then LC_MESSAGES, then LANG; unset, C and POSIX are en-US', () => {
    const cases: [Record<string, string>, boolean][] = [
      [{}, true],
      [{ LANG: 'C.UTF-8' }, true],
      [{ LANG: 'POSIX' }, true],
      [{ LANG: 'en_US.UTF-8' }, true],
      [{ LANG: 'en_AU.UTF-8' }, true],
      [{ LANG: 'en-IN' }, true],
      [{ LANG: 'en' }, true],
      [{ LANG: 'en_GB.UTF-8' }, false],
      [{ LANG: 'en_IE.UTF-8' }, false],
      [{ LANG: 'de_DE@euro' }, false],
      [{ LANG: 'fr_CA.UTF-8' }, false],
      [{ LANG: 'ja_JP.UTF-8' }, false],
      [{ LANG: 'en_US.UTF-8', LC_MESSAGES: 'de_DE.UTF-8' }, false],
      [{ LANG: 'de_DE.UTF-8', LC_MESSAGES: 'de_DE.UTF-8', LC_ALL: 'en_US.UTF-8' }, true],
      [{ LANG: 'en_GB.UTF-8', LC_ALL: '' }, false],
    ]
    for (const [env, twelve] of cases) assert.equal(usesTwelveHourClock(env), twelve, JSON.stringify(env))
  })

  test("each locale variable picks the clock Node's own Intl picks for it", () => {
    // The default locale of a Node process started with that environment.
    for (const env of [
      { LANG: 'en_US.UTF-8' },
      { LANG: 'en_GB.UTF-8' },
      { LANG: 'de_DE.UTF-8' },
      { LANG: 'C.UTF-8' },
      { LC_ALL: 'en_AU.UTF-8', LANG: 'de_DE.UTF-8' },
    ]) {
      const child = spawnSync(process.execPath, ['-p', "new Intl.DateTimeFormat(undefined, { hour: 'numeric' }).resolvedOptions().hour12 === true"], {
        env: { PATH: process.env.PATH, ...env },
        encoding: 'utf8',
        timeout: 10_000,
      })
      assert.equal(child.status, 0, child.stderr)
      assert.equal(usesTwelveHourClock(env), child.stdout.trim() === 'true', JSON.stringify(env))
    }
  })
})

describe('thousands', () => {
  test('digits grouped by three with commas, as en-US writes them', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1234, 2.5, 1234.4])
      assert.equal(thousands(n), Math.round(n).toLocaleString('en-US'), String(n))
  })
})
