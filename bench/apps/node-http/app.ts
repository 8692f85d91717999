// The same server as server.mjs, in TypeScript, as hotcell and Bun --hot run it
// (hotcell captures the listen() call and serves the handler).
import { createServer } from 'node:http'
import { version } from './version'

createServer((req, res) => res.end(`v${version}`)).listen(Number(process.env.PORT ?? 3000), '127.0.0.1')
