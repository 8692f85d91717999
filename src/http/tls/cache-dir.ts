import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * hotcell's folder in the user's cache: `$XDG_CACHE_HOME/hotcell` where set
 * (on every platform, as the XDG spec asks of tools that honour it), else the
 * platform's own cache folder. Not the project's folder: one certificate
 * serves every project, so a browser exception accepted once holds for all.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = homedir()): string {
  // The spec says a relative value is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME
  if (xdg && isAbsolute(xdg)) return join(xdg, 'hotcell')
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'hotcell')
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home, 'AppData', 'Local'), 'hotcell')
  return join(home, '.cache', 'hotcell')
}
