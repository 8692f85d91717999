// What Node refuses in a worker thread (ERR_WORKER_UNSUPPORTED_OPERATION) is
// reported with why (hotcell runs the code in workers, which share the server
// process) and what to do instead: the user never chose workers, and `node`
// and `tsx` run the same code.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { request, serveProject } from './helpers.js'

describe('operations Node refuses in a worker', () => {
  test('process.chdir() at import: the 500 says why and to start hotcell from that folder or build paths from import.meta.dirname', async () => {
    const { server } = await serveProject({
      'app.ts': "process.chdir(import.meta.dirname)\nexport default { fetch: () => new Response('cwd=' + process.cwd()) }\n",
    })
    const reply = await request(`${server.url}/`, { headers: { accept: 'text/plain' } })
    assert.equal(reply.status, 500)
    assert.match(reply.text, /process\.chdir\(\) is not supported in workers/)
    assert.match(reply.text, /hotcell runs your code in worker threads, which share the server process's working folder/, reply.text)
    assert.match(reply.text, /Start hotcell from the folder your code expects .* join\(import\.meta\.dirname, 'data\.json'\)/, reply.text)
  })

  test('process.abort() in a handler: the 500 says hotcell runs the code in worker threads', async () => {
    const { server } = await serveProject({ 'app.ts': 'export default { fetch: () => { process.abort(); return new Response() } }\n' })
    const reply = await request(`${server.url}/`, { headers: { accept: 'text/plain' } })
    assert.equal(reply.status, 500)
    assert.match(reply.text, /process\.abort\(\) is not supported in workers/)
    assert.match(reply.text, /hotcell runs your code in worker threads, and Node does not allow this there/, reply.text)
  })
})
