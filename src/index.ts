export { serve } from './dev-server.js'
export { bench } from './bench-command/bench-api.js'
export type { BenchOptions, BenchResult } from './bench-command/bench-api.js'
export type { HotcellServer, ServerInfo } from './server-api.js'
export type { ServeOptions } from './config/resolve-config.js'
export type { LogEntry } from './report/log-option.js'
export type { ReloadInfo, ReloadError, ErrorInfo } from './reload/reload-info.js'
export type { FetchFunction as FetchHandler, FetchContext, ServerRequest } from '../workers/loaded-app.js'
export { HotcellError } from './errors.js'
export { defineConfig, type UserConfig } from './config/config-file.js'
/** The handler's `env`: the process environment of the workers, with the .env files' variables. */
export type Env = Record<string, string | undefined>
