// The hello handler in Node's (req, res) shape, the way an Express-era app
// answers: bench/throughput's "node-1" variant, against plain node:http
// answering the same bytes.
import type { IncomingMessage, ServerResponse } from 'node:http'

export default (_req: IncomingMessage, res: ServerResponse): void => {
  res.setHeader('content-type', 'text/plain; charset=utf-8')
  res.end('Hello, world!')
}
