import { readFileSync } from 'node:fs'

/** hotcell's version, from its package.json (`hotcell --version`, `hotcell bench --version`). */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}
