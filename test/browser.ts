// Headless Chromium for the tests that need a real browser: Debian's
// /usr/bin/chromium driven by playwright-core (no browser download).
import type { Browser } from 'playwright-core'
import { cleanup, requires, withDeadline } from './helpers.js'

export const CHROMIUM = '/usr/bin/chromium'
// As root, without a sandbox; no background networking (this machine's network is closed and
// Chromium would retry its own services), no GPU, no QUIC.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export const needsChromium = () => requires(CHROMIUM, 'apt-get update && apt-get install -y chromium')

/** A headless Chromium, closed after the test file; extra `args` as for chromium.launch. */
export async function launchChromium(args: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  const browser = await withDeadline(chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...args], timeout: 60_000 }), 70_000, 'chromium start')
  cleanup(() => browser.close())
  return browser
}
