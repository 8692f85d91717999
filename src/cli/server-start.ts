// The server process's main script (dist/src/cli/hotcell-server.cjs): the
// supervisor forks it, and an unsupervised run requires it. It loads the
// server's code (server-entry.ts, bundled as hotcell-server-main.cjs) through a
// V8 code cache (code-cache.ts).
import { fileURLToPath } from 'node:url'
import { requireWithCodeCache } from './code-cache.js'

requireWithCodeCache(fileURLToPath(new URL('./hotcell-server-main.cjs', import.meta.url)))
