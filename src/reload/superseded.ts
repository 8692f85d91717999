// A load in progress, raced against a newer save. A load usually takes a few
// milliseconds and never sees one; a slow one (a top-level await, an entry
// given 2 s to call listen()) is then given up, and the newer save is built.

// How often a load in progress looks for a newer save.
const POLL_MS = 50

/** Whether a newer save was pending (`stale()`) before `loaded` settled. */
export async function supersededWhile(loaded: Promise<unknown>, stale: () => boolean): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const newer = new Promise<true>((resolve) => {
    const look = () => {
      if (stale()) resolve(true)
      else timer = setTimeout(look, POLL_MS)
    }
    timer = setTimeout(look, POLL_MS)
  })
  try {
    return await Promise.race([loaded.then(() => false), newer])
  } finally {
    clearTimeout(timer)
  }
}
