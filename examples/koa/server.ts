// A Koa 3 app that starts its own server with app.listen().
//   npx hotcell examples/koa/server.ts
import Koa from 'koa'
import { Readable } from 'node:stream'

const app = new Koa()
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function readBody(req: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

app.use(async (ctx) => {
  if (ctx.method === 'POST' && ctx.path === '/notes') {
    const text = await readBody(ctx.req)
    ctx.status = 201
    ctx.set('location', '/notes/1')
    ctx.body = { saved: text, length: Buffer.byteLength(text) }
    return
  }
  if (ctx.path === '/count') {
    // A streamed body: each line is sent when it is produced.
    const to = Number(ctx.query.to ?? 3)
    ctx.type = 'text/plain'
    ctx.body = Readable.from(
      (async function* () {
        for (let i = 1; i <= to; i++) {
          if (i > 1) await sleep(200)
          yield `${i}\n`
        }
      })(),
    )
    return
  }
  if (ctx.path === '/') {
    ctx.body = 'hello from koa'
    return
  }
  ctx.status = 404
  ctx.body = { error: `no route for ${ctx.path}` }
})

app.listen(3000, () => {
  console.log('koa listening on 3000')
})
