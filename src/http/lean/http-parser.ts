// Node's own HTTP/1 parser (llhttp), as node:http sets it up for a server:
// `_http_common`'s HTTPParser, strict, with Node's header size limit. Typed
// here for the lean door; node:http itself gives it no public types.
export const { HTTPParser, methods } = process.getBuiltinModule('_http_common') as unknown as {
  HTTPParser: ParserClass
  methods: string[]
}

export interface Parser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void
  execute(data: Buffer): number | Error
  finish(): number | Error | undefined
  close(): void
  [callback: number]: unknown
}
interface ParserClass {
  new (): Parser
  REQUEST: number
  kOnMessageBegin: number
  kOnHeaders: number
  kOnHeadersComplete: number
  kOnBody: number
  kOnMessageComplete: number
}

/** A parser for requests: strict (no lenient flags), the default header size limit (`--max-http-header-size`). */
export function createRequestParser(): Parser {
  const parser = new HTTPParser()
  parser.initialize(HTTPParser.REQUEST, {}, 0, 0)
  return parser
}
