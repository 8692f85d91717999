// A new bundle's import into a standby, while the code from before serves.
// It usually takes a few milliseconds. One that takes long is given up for a
// newer save (superseded.ts), and is what a shutdown ends first
// (reloader.ts): it serves nobody.
import type { Generation } from '../pool/generation.js'
import { supersededWhile } from './superseded.js'

export interface ImportOptions {
  /** Wait for every worker (the first generation comes up at full size), not only one (later swaps). */
  all: boolean
  /** Other code serves meanwhile: a newer save (`stale()`) gives this import up. */
  serving: boolean
  stale: () => boolean
}

/** Hand `url` to `next` and wait for its import (generation.ts load()). Resolves to true if a newer save gave it up. */
export async function importInto(next: Generation, url: string, { all, serving, stale }: ImportOptions): Promise<boolean> {
  const loaded = next.load(url, { all })
  // A slow import (a top-level await, an entry given 2 s to call listen())
  // is not waited for once a newer save is pending: that one is built now.
  return serving ? supersededWhile(loaded, stale) : loaded.then(() => false)
}
