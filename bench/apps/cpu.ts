// A CPU-bound handler: 200k iterations of an integer loop, about 1 ms on an
// idle server core (2.5 ms measured on a 2-core VM with load average 7).
const ITERATIONS = 200_000

export default {
  fetch(): Response {
    let x = 0
    for (let i = 0; i < ITERATIONS; i++) x = (x * 31 + i) % 1_000_003
    return new Response(`cpu ${x}\n`)
  },
}
