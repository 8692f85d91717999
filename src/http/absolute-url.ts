// A request's URL as the handler sees it (`request.url` is absolute): its
// target, with the scheme of the socket and the Host header (or, without one,
// the address the request came in on). Shared by plain requests and upgrades.
import { rawHeader } from './raw-header.js'

interface Target {
  url?: string | undefined
  rawHeaders: string[]
  socket: { localAddress?: string | undefined; localPort?: number | undefined }
}

export function absoluteUrl(req: Target): string {
  const target = req.url ?? '/'
  if (!target.startsWith('/')) return target // absolute-form or '*'
  const host = rawHeader(req.rawHeaders, 'host') ?? `${req.socket.localAddress}:${req.socket.localPort}`
  return `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${host}${target}`
}
