// The hotcell command inside a dist/ folder, this build's or an A/B build's
// (HOTCELL_BUILD_B): the CommonJS bundle since it exists, bin.js (an ES
// module graph) in builds from before it.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export function cliScript(dist: string): string {
  const bundle = join(dist, 'src/cli/hotcell.cjs')
  return existsSync(bundle) ? bundle : join(dist, 'src/cli/bin.js')
}
