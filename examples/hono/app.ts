// A Hono app, exported as is (it has a fetch method).
//   npx hotcell examples/hono/app.ts       (or server.ts, which uses @hono/node-server's serve())
import { Hono } from 'hono'
import { streamText } from 'hono/streaming'

const app = new Hono()

app.get('/', (c) => c.text('hello from hono'))

app.get('/hello/:name', (c) => c.json({ hello: c.req.param('name') }))

app.post('/json', async (c) => {
  const body = await c.req.json<Record<string, unknown>>()
  return c.json({ received: body, keys: Object.keys(body).length }, 201)
})

app.get('/stream', (c) =>
  streamText(c, async (stream) => {
    for (let i = 1; i <= 3; i++) {
      if (i > 1) await stream.sleep(200)
      await stream.writeln(`line ${i}`)
    }
  }),
)

export default app
