// bench/throughput --body <n>: GET /size/<n> answers a string body of n bytes,
// as bench/servers/plain-http.ts does, to see what a body's size costs.
const bodies = new Map<string, string>()

export default {
  fetch(request: Request): Response {
    const path = new URL(request.url).pathname
    let body = bodies.get(path)
    if (body === undefined) {
      body = 'x'.repeat(Number(path.slice('/size/'.length)) || 0)
      bodies.set(path, body)
    }
    return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } })
  },
}
