import type { Logger } from './logger.js'

/**
 * Says once per server that the entry's own listen() was captured: every
 * worker of every generation reports it, and the developer needs to read it
 * only the first time (or when the entry asks for a different address).
 */
export function createListenNotice(logger: Logger, entry: string, url: () => string): (requested: string) => void {
  const told = new Set<string>()
  return (requested) => {
    if (told.has(requested)) return
    told.add(requested)
    const at = url()
    const samePort = requested.replace(/^.*:/, '') === new URL(at).port
    logger.info(
      samePort
        ? `hotcell: ${entry} calls listen(${requested}); hotcell serves that server's handler at ${at} itself, so the app's own listen() binds nothing`
        : `hotcell: ${entry} calls listen(${requested}); hotcell leaves that port alone and serves the app's handler at ${at}`,
    )
  }
}
