// Node refuses a few process-wide operations in a worker thread with
// ERR_WORKER_UNSUPPORTED_OPERATION ("process.chdir() is not supported in
// workers"). The user never chose workers: the message says why hotcell's
// workers cannot, and what to do instead. process.chdir() first: apps call it
// at import to read files by relative paths.

const CHDIR = /^process\.chdir\(\) is not supported in workers/

/** The hint for an ERR_WORKER_UNSUPPORTED_OPERATION's message ('' for any other). */
export function workerOnlyHint(message: string): string {
  if (CHDIR.test(message)) {
    return (
      "\nhotcell runs your code in worker threads, which share the server process's working folder, so Node does not let them change it. " +
      "Start hotcell from the folder your code expects (cd into it first), or build paths from the module's own folder instead of the working one: " +
      "join(import.meta.dirname, 'data.json'), or new URL('./data.json', import.meta.url)"
    )
  }
  return (
    '\nhotcell runs your code in worker threads, and Node does not allow this there: it would change the whole server process. ' +
    'Do it before hotcell starts (in the shell, or in a script that then runs hotcell), or leave it out in development'
  )
}
