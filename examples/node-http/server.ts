// Plain node:http: createServer(handler).listen(). hotcell captures the handler.
//   npx hotcell examples/node-http/server.ts
import { createServer } from 'node:http'

const server = createServer((req, res) => {
  if (req.url === '/') {
    res.setHeader('content-type', 'text/plain')
    return res.end('hello from node:http')
  }
  if (req.url === '/chunks') {
    // Raw chunked writes: the client sees "one" before "two" is written.
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.write('one\n')
    setTimeout(() => {
      res.write('two\n')
      res.end('three\n')
    }, 200)
    return
  }
  if (req.method === 'POST') {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ bytes: body.length, first: body[0], last: body[body.length - 1] }))
    })
    return
  }
  res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; Path=/'])
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ method: req.method, url: req.url, rawHeaders: req.rawHeaders, remoteAddress: req.socket.remoteAddress }))
})

server.listen(3000, () => {
  console.log('node:http listening on 3000')
})
