// The fetch hello handler every "hello" variant of bench/throughput and bench/accuracy serves.
export default {
  fetch(): Response {
    return new Response('Hello, world!', { headers: { 'content-type': 'text/plain; charset=utf-8' } })
  },
}
