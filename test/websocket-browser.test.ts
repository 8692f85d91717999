// An app's WebSocket in a real browser (Debian's headless Chromium, driven by
// playwright-core): a save closes the page's socket with 1012 and the page's
// own reconnect reaches the new code; with live reload on, hotcell's stream
// and the app's socket work side by side. Skipped without /usr/bin/chromium.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { launchChromium, needsChromium } from './browser.js'
import { serveProject } from './helpers.js'

const skip = needsChromium()

/** A page whose socket shows what the server says and reconnects when closed, noting the close code. */
const app = (version: string) => `
import http from 'node:http'
import { WebSocketServer } from 'ws'
const page = \`<!doctype html><html><body><p id="said"></p><p id="closes"></p><script>
function connect() {
  const socket = new WebSocket(location.origin.replace(/^http/, 'ws') + '/socket')
  socket.onmessage = (e) => { document.getElementById('said').textContent = e.data }
  socket.onclose = (e) => { document.getElementById('closes').textContent += e.code + ' '; setTimeout(connect, 100) }
}
connect()
</script></body></html>\`
const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page))
new WebSocketServer({ server, path: '/socket' }).on('connection', (socket) => socket.send('served by ${version}'))
server.listen(3000)
`

describe('WebSockets in Chromium', () => {
  test("after a save the page's socket closes with 1012 and reconnects to the new code", { skip }, async () => {
    const { project, server } = await serveProject({ 'app.ts': app('version one') }, { liveReload: false })
    const tab = await (await launchChromium()).newPage()
    let loads = 0
    tab.on('load', () => loads++)
    await tab.goto(server.url, { timeout: 20_000 })
    await tab.waitForFunction(`document.getElementById('said').textContent === 'served by version one'`, undefined, { timeout: 20_000 })

    project.write('app.ts', app('version two'))
    await tab.waitForFunction(`document.getElementById('said').textContent === 'served by version two'`, undefined, { timeout: 30_000 })
    assert.equal((await tab.locator('#closes').textContent({ timeout: 10_000 }))?.trim(), '1012')
    assert.equal(loads, 1, 'the page itself was not reloaded: its socket reconnected')
  })

  test('with live reload, the tab reloads on a save and its new socket reaches the new code', { skip }, async () => {
    const { project, server } = await serveProject({ 'app.ts': app('version one') })
    const tab = await (await launchChromium()).newPage()
    let loads = 0
    tab.on('load', () => loads++)
    const stream = tab.waitForResponse((r) => r.url().includes('/__hotcell/live-reload'), { timeout: 20_000 })
    await tab.goto(server.url, { timeout: 20_000 })
    await tab.waitForFunction(`document.getElementById('said').textContent === 'served by version one'`, undefined, { timeout: 20_000 })
    assert.equal((await stream).status(), 200)

    project.write('app.ts', app('version two'))
    await tab.waitForFunction(`document.getElementById('said').textContent === 'served by version two'`, undefined, { timeout: 30_000 })
    assert.ok(loads >= 2, `live reload reloaded the tab (loads: ${loads})`)
  })
})
