// llhttp's strict mode is what rejects smuggling shapes (CL+TE, bad chunk
// sizes, obs-fold, bare LF…); `--insecure-http-parser` switches it off for
// the whole process. hotcell refuses to run like that rather than run unsafe.
import { HotcellError } from '../errors.js'

export function assertStrictParser(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env.NODE_OPTIONS ?? ''): void {
  const flag = '--insecure-http-parser'
  const inArgv = execArgv.includes(flag)
  const inOptions = nodeOptions.split(/\s+/).includes(flag)
  if (inArgv || inOptions) {
    throw new HotcellError(
      'ERR_INSECURE_PARSER',
      `refusing to start: Node runs with ${flag} (from ${inArgv ? 'the node command line' : 'NODE_OPTIONS'}), which lets malformed and smuggled requests through. Remove it.`,
    )
  }
}
