// One hotcell server as its own process, for the bench/ scripts:
//   node hotcell-server.js <entry> <workers|default>   (forked, IPC: sends { type: 'ready', url })
import { serve } from '../../src/dev-server.js'

const [entry, workers] = process.argv.slice(2) as [string, string]
const server = await serve({ entry, ...(workers === 'default' ? {} : { workers: Number(workers) }), port: 0, host: '127.0.0.1', reload: false, quiet: true })
process.send?.({ type: 'ready', url: server.url })

// Exit through close() so that --cpu-prof can write its profiles.
const stop = () => void server.close().finally(() => process.exit(0))
process.once('SIGTERM', stop)
process.once('disconnect', stop)
