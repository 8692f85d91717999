// Live reload in a real browser: Debian's headless Chromium, driven by
// playwright-core (test/browser.ts). Needs /usr/bin/chromium; without it the
// tests are skipped and say so, except in CI, where they fail.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { serve } from '../src/index.js'
import { launchChromium, needsChromium } from './browser.js'
import { cleanup, projectDir, startCli, waitFor } from './helpers.js'

const skip = needsChromium()

const page = (text: string) =>
  `export default { fetch: () => new Response('<!doctype html><html><head><title>app</title></head><body><h1 id="t">${text}</h1></body></html>', { headers: { 'content-type': 'text/html; charset=utf-8' } }) }\n`

describe('live reload in Chromium', () => {
  test('an open tab follows edits, shows a build error, and recovers when it is fixed', { skip }, async () => {
    const project = projectDir({ 'app.ts': page('version one') })
    cleanup(project.remove)
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    const browser = await launchChromium()
    const tab = await browser.newPage()
    let loads = 0
    tab.on('load', () => loads++)
    const heading = () => tab.locator('h1').first().textContent({ timeout: 20_000 })

    const stream = tab.waitForResponse((r) => r.url().includes('/__hotcell/live-reload'), { timeout: 20_000 })
    await tab.goto(server.url, { timeout: 20_000 })
    assert.equal(await heading(), 'version one')
    assert.equal(loads, 1)
    // The live-reload stream is open (the token passed the guard) before anything changes.
    assert.equal((await stream).status(), 200)

    // Nobody calls reload() or goto() from here on: the page's script does.
    project.write('app.ts', page('version two'))
    await tab.waitForFunction(`document.querySelector('h1')?.textContent === 'version two'`, undefined, { timeout: 30_000 })
    assert.ok(loads >= 2, `the tab reloaded itself (loads: ${loads})`)

    project.write('app.ts', page('version three') + 'export const broken = (\n')
    await tab.waitForFunction(`document.title.includes('Build failed')`, undefined, { timeout: 30_000 })
    // The Youch page, as for a thrown error: the message and the code at the error's line.
    assert.match(await tab.content(), /Expected "\)" but found end of file|Unexpected end of file/)
    assert.match(await tab.content(), /app\.ts.*at line.*\d+:\d+/s)

    project.write('app.ts', page('version three'))
    await tab.waitForFunction(`document.querySelector('h1')?.textContent === 'version three'`, undefined, { timeout: 30_000 })
    assert.equal(await tab.title(), 'app')
  })
})

const expressApp = (text: string) => `import express from 'express'
const app = express()
app.get('/', (_req, res) => { res.send('<h1 id="t">${text}</h1>') })
export default app
`

describe('live reload on fragments and behind a Content-Security-Policy', () => {
  test("an Express fragment page and Express's own 404 page (default-src 'none') both reload themselves", { skip }, async () => {
    const project = projectDir({ 'app.ts': expressApp('version one') })
    cleanup(project.remove)
    const server = await serve({ entry: `${project.dir}/app.ts`, port: 0, workers: 1, quiet: !process.env.DEBUG_HOTCELL })
    cleanup(() => server.close())
    const browser = await launchChromium()
    const tabs = await Promise.all([browser.newPage(), browser.newPage()])
    const loads = [0, 0]
    for (const [i, tab] of tabs.entries()) tab.on('load', () => loads[i]!++)
    const violations: string[] = []
    for (const tab of tabs) tab.on('console', (message) => void (/Content.Security.Policy/i.test(message.text()) && violations.push(message.text())))

    const streams = tabs.map((tab) => tab.waitForResponse((r) => r.url().includes('/__hotcell/live-reload'), { timeout: 20_000 }))
    await tabs[0]!.goto(server.url, { timeout: 20_000 })
    const missing = await tabs[1]!.goto(server.url + '/nowhere', { timeout: 20_000 })
    assert.equal(missing?.status(), 404)
    assert.match((await missing!.allHeaders())['content-security-policy'] ?? '', /^default-src 'none'; script-src 'nonce-/)
    for (const stream of streams) assert.equal((await stream).status(), 200)
    assert.deepEqual(loads, [1, 1])

    project.write('app.ts', expressApp('version two'))
    await tabs[0]!.waitForFunction(`document.querySelector('h1')?.textContent === 'version two'`, undefined, { timeout: 30_000 })
    await waitFor(() => loads[1]! >= 2, 30_000, `the 404 tab reloading itself (loads: ${loads[1]})`, 50)
    assert.deepEqual(violations, [])
  })
})

describe('live reload across a restart of hotcell', () => {
  test('a tab whose server restarted (new process, new token) reloads once the new one answers', { skip }, async () => {
    const project = projectDir({ 'app.ts': page('first process') })
    cleanup(project.remove)
    const first = await startCli(['app.ts', '--port', '0', '--workers', '1', '--quiet'], { cwd: project.dir })
    cleanup(() => first.stop())
    const port = new URL(first.url).port
    const browser = await launchChromium()
    const tab = await browser.newPage()
    const stream = tab.waitForResponse((r) => r.url().includes('/__hotcell/live-reload'), { timeout: 20_000 })
    await tab.goto(first.url, { timeout: 20_000 })
    assert.equal((await stream).status(), 200)
    assert.equal(await first.stop(), 0)

    project.write('app.ts', page('second process'))
    const second = await startCli(['app.ts', '--port', port, '--workers', '1', '--quiet'], { cwd: project.dir })
    cleanup(() => second.stop())
    await tab.waitForFunction(`document.querySelector('h1')?.textContent === 'second process'`, undefined, { timeout: 30_000 })
  })
})
