// With more than one worker, module state is per worker, and so is a session
// kept in memory: express-session's default MemoryStore, @fastify/session's.
// A page's parallel requests then land on workers that do not know the
// session, and the user sees "random logouts" (a new-user trial). The banner
// says that module state is per worker; this says it when it bites: once, at
// the first response that sets such a middleware's cookie. Their default
// names only: a cookie that holds the session itself (cookie-session,
// koa-session) is the same for every worker.
import type { Logger } from './logger.js'

const MEMORY_SESSION_COOKIES = /^\s*(connect\.sid|sessionId)=/

/** A check for each response head; undefined with one worker. Said once per server. */
export function sessionCookieNote(workers: number, logger: Logger): ((method: string, url: string, headers: readonly string[]) => void) | undefined {
  if (workers <= 1) return undefined
  let said = false
  return (method, url, headers) => {
    if (said) return
    const cookie = setCookieName(headers)
    if (!cookie) return
    said = true
    logger.warn(
      `hotcell: ${method} ${new URL(url).pathname} set the session cookie ${cookie} while ${workers} workers serve: a session kept in memory (express-session's default MemoryStore, @fastify/session's) lives in one worker, and requests that go to another find none. Serve with --workers 1 (the default), or keep sessions in a store outside the process`,
    )
  }
}

function setCookieName(headers: readonly string[]): string | undefined {
  // Several set-cookie headers come as several entries.
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i]!
    if (name.length !== 10 || name.toLowerCase() !== 'set-cookie') continue
    const match = MEMORY_SESSION_COOKIES.exec(headers[i + 1]!)
    if (match) return match[1]
  }
  return undefined
}
