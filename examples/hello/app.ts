// The example `npm start` serves. Edit it while the server runs: the next
// request is answered by the new code.
import { greet } from './greet.js'

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    if (url.pathname === '/') {
      return new Response(page(greet('world')), { headers: { 'content-type': 'text/html; charset=utf-8' } })
    }
    if (url.pathname === '/api/hello') {
      return Response.json({ message: greet(url.searchParams.get('name') ?? 'world') })
    }
    if (url.pathname === '/boom') {
      throw new Error('boom: an error thrown by the handler, mapped to its .ts line')
    }
    return new Response('not found\n', { status: 404 })
  },
}

function page(message: string): string {
  return `<!doctype html><title>hotcell</title><h1>${message}</h1>
<p>Try <a href="/api/hello?name=you">/api/hello?name=you</a> or <a href="/boom">/boom</a>.</p>`
}
