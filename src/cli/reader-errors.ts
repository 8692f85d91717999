/**
 * A reader that goes away (`hotcell app.ts | head -1`, a closed terminal)
 * must not take the server down: the log is lost, the server goes on serving.
 */
export function keepServingWithoutReader(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error
    })
  }
}
