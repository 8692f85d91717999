export { serve, type HotcellServer } from './dev-server.js'
export type { ServeOptions } from './config.js'
export type { FetchFunction as FetchHandler, FetchContext } from '../workers/app-loader.js'
export { HotcellError } from './errors.js'
