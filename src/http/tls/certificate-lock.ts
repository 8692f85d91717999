// One start at a time makes the cached certificate. Two `hotcell --https`
// started together on a fresh cache (a monorepo's `concurrently` dev script)
// each made a certificate and each renamed it over the file: the last rename
// won, and the other served a certificate the file did not hold, so a client
// trusting the file (curl --cacert, a browser's exception) failed on it. The
// lock is a file created exclusively beside the certificate; whoever waits
// for it reads what the holder wrote instead of making its own.
import { closeSync, openSync, rmSync, statSync } from 'node:fs'

/** Making a certificate takes ~0.3 s: a lock this old was left by a start that died holding it. */
const STALE_MS = 10_000
const POLL_MS = 25
/** Past this, a start stops waiting and makes its own (the file then holds one of the two). */
const GIVE_UP_MS = 2 * STALE_MS

export type Held = { release(): void } | undefined

/**
 * Take `lock`, or, while another start holds it, call `ready()` after each
 * poll: a value it returns (the certificate the holder stored) ends the wait.
 * Resolves to the lock held (`release()` it), or to what `ready()` found, or
 * to undefined when the lock cannot be used (an unwritable folder, a holder
 * that never lets go): then the caller goes on alone, as before the lock.
 */
export async function lockOrWait<T>(lock: string, ready: () => T | undefined): Promise<{ held: Held } | { found: T }> {
  const until = performance.now() + GIVE_UP_MS
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx', 0o600))
      return { held: { release: () => rmSync(lock, { force: true }) } }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || performance.now() > until) return { held: undefined }
    }
    if (isStale(lock)) {
      rmSync(lock, { force: true })
      continue
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
    const found = ready()
    if (found !== undefined) return { found }
  }
}

function isStale(lock: string): boolean {
  try {
    return Date.now() - statSync(lock).mtimeMs > STALE_MS
  } catch {
    // Released meanwhile: try to take it again.
    return false
  }
}
