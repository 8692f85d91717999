// What a file is now, as far as a stat tells: a later look that differs was
// a write (or a replacement) in between. Not proof of the opposite on its
// own: a write within the same clock tick that keeps the size keeps it too,
// so it is used beside the raw event every write gives (early-changes.ts),
// never instead of it.
import { statSync } from 'node:fs'

export const GONE = 'gone'

export function fingerprint(path: string): string {
  try {
    const stats = statSync(path)
    return `${stats.mtimeMs}:${stats.size}:${stats.ino}`
  } catch {
    return GONE
  }
}
