// What a running server offers its caller (serve()'s result): the public
// half of dev-server.ts, which implements it.
import type { EventEmitter } from 'node:events'
import type { ReloadInfo } from './reload/reload-info.js'
import type { Problem } from './report/serving-state.js'

export interface HotcellServer extends EventEmitter {
  /** Where the server is reachable, e.g. `http://127.0.0.1:3000`. */
  readonly url: string
  readonly port: number
  /**
   * Rebuild and swap now, as a save would; resolves when the new code serves, or its error page does (`ok` false, with the error).
   * Rejects (ERR_SERVER_CLOSED) after close().
   */
  reload(): Promise<ReloadInfo>
  /**
   * Stop accepting, let requests in flight finish (up to 5 s), end the workers.
   * `restart`: a new server starts at once (new options): WebSockets close with
   * 1012 (Service Restart, "reconnect") instead of 1001 (Going Away).
   * `signal`: what the app's code is told, as a process given that signal: its
   * listeners of it run, then its 'exit' listeners (default SIGTERM; the CLI
   * passes the one it got, SIGINT for a Ctrl-C).
   */
  close(options?: { restart?: boolean | undefined; signal?: 'SIGINT' | 'SIGTERM' | undefined }): Promise<void>
  /** After each reload a save or reload() brought (not the start): `ok` false when requests get an error page instead of the new code. */
  on(event: 'reload', listener: (info: ReloadInfo) => void): this
  /** A worker ignored terminate() (a Node 24 allocation loop past --max-memory): its thread runs until the process ends. The command ends the process. */
  on(event: 'unstoppable', listener: (threadId: number) => void): this
  /** What the startup banner shows. */
  readonly info: ServerInfo
}

export interface ServerInfo {
  /** The code does not serve (a build error, an entry that throws on import): what to do. */
  problem: Problem | undefined
  entry: string
  workers: number
  /** The first build's time, and whether it failed. */
  buildMs: number
  buildFailed: boolean
  /** Variables read from .env files. */
  envVars: number
  /** Those of them the environment hotcell was started with sets too: the environment's values are the handler's. */
  envShadowed: readonly string[]
  /** PORT as an env file sets it (for the handler only; `file` relative to cwd), when the environment does not set it. */
  envPort: { value: string; file: string } | undefined
  /** ws:// URL of the inspector with --inspect. */
  inspector: string | undefined
  liveReload: boolean
  /** With HTTPS: which certificate, and where it is kept. */
  tls: string | undefined
}
