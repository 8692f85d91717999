/**
 * The benchmark cannot produce a meaningful number (the route fails its
 * correctness check, a server does not start). Printed as one line, exit 1.
 */
export class BenchError extends Error {
  override name = 'BenchError'
}
