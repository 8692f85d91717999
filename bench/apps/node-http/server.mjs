// The reference of bench/startup.ts: the bare node:http server every cold
// start and idle memory figure is compared with, started with `node server.mjs`.
import { createServer } from 'node:http'

createServer((req, res) => res.end('Hello, world!')).listen(Number(process.env.PORT), '127.0.0.1')
