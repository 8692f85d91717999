// What the server serves when the code is broken, and what to do about it,
// in one clause: the last line after a failed start, and the summary of a
// reload that did not bring good code ("build failed · …").
import type { Target } from '../http/dispatch.js'
import type { ErrorData } from '../pool/protocol.js'
import type { Config } from '../config/resolve-config.js'
import { ENTRY_GONE_CODE } from './build-errors.js'
import { userFrame, type SourceLocation } from './code-frame.js'
import { shownPath, type ProjectRoots } from './source-files.js'

export interface Problem {
  /** Which error page every request gets: "the build error page". */
  page: string
  /** What to do: "fix src/app.ts:3 and save". */
  fix: string
  /** The short cause, for a reload line: "build failed at src/app.ts:3:7". */
  summary: string
  /** Only a new server process can fix it (a native addon's failed load stays in this one): the CLI's r key starts one. */
  newProcess?: true
}

/**
 * How fixed code comes to be served, which the words of a fix name: a save (`reload`), else a restart (the CLI's
 * --no-reload), or under serve() (`api`) a call of server.reload(), which also stands for the CLI's r key.
 */
export type Refresh = Pick<Config, 'reload' | 'api' | 'keys'>

/** "and save", or what serves the fix when a save does not. */
function applied({ reload, api }: Refresh): string {
  return reload ? 'and save' : api ? 'and call server.reload()' : 'and restart hotcell (reloading is off)'
}

/** An error page's hint: what fixes it, by whether a save reloads (--no-reload: a restart does; serve() with reload: false: server.reload()). */
export function fixHint(refresh: Refresh, what = 'the error'): string {
  if (refresh.reload) return `Fix ${what} and save: the next good build is served at once.`
  return refresh.api ? `Fix ${what} and call server.reload() (reloading on save is off).` : `Fix ${what} and restart hotcell (reloading is off).`
}

/** What every request gets while the last build failed: its errors, on a 500 page. */
export function buildFailureTarget(build: { text: string; error: ErrorData }, refresh: Refresh): Target {
  const gone = build.error.code === ENTRY_GONE_CODE
  const hint = gone && refresh.reload ? 'Restore the entry, or create it again: it is served at once.' : fixHint(refresh)
  return { kind: 'failure', view: { status: 500, title: 'Build failed', text: build.text, error: build.error, hint } }
}

/** The developer's next step for a failure, or undefined when the code serves. `kind` says which failure it is. */
export function problemOf(
  kind: 'build' | 'import' | 'shape' | 'hang' | undefined,
  error: ErrorData | undefined,
  entry: string,
  roots: ProjectRoots,
  refresh: Refresh = { reload: true },
): Problem | undefined {
  if (!kind) return undefined
  const where = error && locate(error, roots)
  // With --no-reload a save changes nothing: the fix takes a restart (server.reload() under serve()).
  const then = applied(refresh)
  const reloads = refresh.reload
  // Without a save: the CLI's r key where keys work (stdin a terminal), else a save of any source file; or serve()'s server.reload().
  const now = refresh.api ? 'call server.reload()' : refresh.keys ? 'press r' : 'save any source file'
  if (kind === 'build') {
    return { page: 'the build error page', fix: `fix ${where?.short ?? entry} ${then}`, summary: `build failed${where ? ` at ${where.full}` : ''}` }
  }
  // The JSX runtime of tsconfig's jsxImportSource does not import (workers/jsx-runtime-errors.ts): the setting is the fix, not the .tsx.
  const jsx = /, set by (?:"jsxImportSource"(?:: "[^"]*")? in (\S+)|the @jsxImportSource comment of (\S+?):\d+)\. /.exec(error?.message ?? '')
  if (jsx && /ERR_MODULE_NOT_FOUND|ERR_PACKAGE_PATH_NOT_EXPORTED/.test(error?.code ?? '')) {
    const install = /, or install the package: (.+)$/.exec(error!.message)?.[1]
    const setting = jsx[1] ? `"jsxImportSource" in ${jsx[1]}` : `the @jsxImportSource comment in ${jsx[2]}`
    return {
      page: 'the error page',
      fix: !install ? `fix ${setting} ${then}` : reloads ? `fix ${setting} and save, or run ${install}` : `fix ${setting} or run ${install}, ${then}`,
      summary: `the JSX runtime that ${jsx[1] ? '"jsxImportSource"' : 'a @jsxImportSource comment'} names does not import${where ? ` (${where.full})` : ''}`,
    }
  }
  // A package not installed, or a tsconfig alias whose `paths` entry is gone (workers/alias-errors.ts): either fixes it.
  const either =
    error?.code === 'ERR_MODULE_NOT_FOUND' ? /"paths" in (\S+); if it is a package, install it: (.+?); hotcell reloads/.exec(error.message) : undefined
  if (either)
    return {
      page: 'the error page',
      fix: reloads
        ? `add the alias to "paths" in ${either[1]} and save, or run ${either[2]}`
        : `add the alias to "paths" in ${either[1]} or run ${either[2]}, ${then}`,
      summary: `an import matches no tsconfig alias and no installed package${where ? ` (at ${where.full})` : ''}`,
    }
  const install = error?.code === 'ERR_MODULE_NOT_FOUND' ? /Install it: (.+?); hotcell reloads/.exec(error.message)?.[1] : undefined
  if (install)
    return {
      page: 'the error page',
      fix: reloads ? `run ${install}; hotcell reloads when package.json changes (or ${now})` : `run ${install} ${then}`,
      summary: `a package is missing${where ? ` (imported at ${where.full})` : ''}`,
    }
  // A native addon that failed to load (workers/native-addon-errors.ts): neither a save nor a reload can fix it.
  const addon = error?.code === 'ERR_DLOPEN_FAILED' ? nativeAddonProblem(error.message, where?.full, refresh) : undefined
  if (addon) return addon
  // A tsconfig `paths` alias to a file that is not there, or one that cannot be a package (workers/alias-errors.ts).
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && error.message.startsWith('Cannot resolve '))
    return { page: 'the error page', fix: `fix ${where?.short ?? entry} ${then}`, summary: `an import does not resolve${where ? ` (at ${where.full})` : ''}` }
  if (error?.name === 'CrashLoopError')
    return {
      page: 'the error page',
      fix: `fix ${where?.short ?? entry} ${then}`,
      summary: `the entry keeps crashing its workers${where ? ` (${/process\.exit\(/.test(error.message) ? 'process.exit() ' : ''}at ${where.full})` : ''}`,
    }
  // A service down at import (workers/import-hints.ts): nothing in the code to fix; start it, then import again.
  const unreachable = kind === 'import' ? /A service the app connects to as it imports is not reachable: (?:(\S+) )?\(/.exec(error?.message ?? '') : null
  if (unreachable) {
    const service = unreachable[1] ? `the service at ${unreachable[1]}` : 'that service'
    return {
      page: 'the error page',
      fix: `start ${service} (or correct its address in your code), then ${importAgain(refresh)}`,
      summary: `a service the entry connects to as it imports is not reachable${unreachable[1] ? ` (${unreachable[1]})` : ''}${where ? ` at ${where.full}` : ''}`,
    }
  }
  if (kind === 'shape') return shapeProblem(error, entry, then)
  if (kind === 'hang') {
    return {
      page: 'the error page',
      fix: `fix ${where?.short ?? entry} ${then}`,
      summary: `the entry did not finish importing${where ? ` (stuck at ${where.full})` : ''}`,
    }
  }
  return {
    page: 'the error page',
    fix: `fix ${where?.short ?? entry} ${then}`,
    summary: `the entry threw while being imported${where ? ` at ${where.full}` : ''}`,
  }
}

/** How the same code is imported again: the r key only where there is one (a terminal). */
function importAgain({ reload, api, keys }: Refresh): string {
  const save = reload ? ' (or save a file)' : ''
  if (api) return `call server.reload()${save}`
  if (keys) return `press r${save}`
  return reload ? 'save a file' : 'restart hotcell (reloading is off)'
}

/**
 * The library of an addon whose load failed stays mapped in the server process, and a later load in it finds that one:
 * only a new process loads the rebuilt file. The CLI's r key starts one, under the supervisor (cli/serve-session.ts).
 */
function nativeAddonProblem(message: string, at: string | undefined, refresh: Refresh): Problem | undefined {
  const newProcess = refresh.api
    ? 'restart the process that calls serve()'
    : refresh.keys === 'restart'
      ? 'press r (a new server process loads it)'
      : 'restart hotcell'
  const rebuild = /Rebuild it for this one: (.+?); then restart the server/.exec(message)?.[1]
  if (rebuild) {
    return {
      page: 'the error page',
      fix: `run ${rebuild}, then ${newProcess}`,
      summary: `a native addon was built for another Node version${at ? ` (loaded at ${at})` : ''}`,
      newProcess: true,
    }
  }
  // "\nlegacy-addon (/…/legacy.node) is a native addon…", or the file alone when no package.json names it.
  const legacy = /\n(.+?) is a native addon that is not context-aware/.exec(message)?.[1]
  if (!legacy) return undefined
  const name = /^(\S+) \(/.exec(legacy)?.[1] ?? 'the addon'
  return {
    page: 'the error page',
    fix: `use a version of ${name} that supports worker threads (N-API); the error above says why`,
    summary: `${name} is a native addon that is not context-aware: Node does not support it in more than one thread${at ? ` (loaded at ${at})` : ''}`,
    newProcess: true,
  }
}

/**
 * An entry without a handler that hotcell waited for, its listen() not coming (workers/app-loader.ts's messages): the
 * fix is what its listen() waited on, which the page names; "export a handler" alone would contradict it.
 */
function shapeProblem(error: ErrorData | undefined, entry: string, then: string): Problem {
  const message = error?.message ?? ''
  if (/without a listen\(\) call/.test(message))
    return {
      page: 'the error page',
      fix: `fix what ${entry} waits on before its listen() (a connect that failed? its error is above, if logged) ${then}`,
      summary: `${entry} did not call listen(): the work it waited on ended without it`,
    }
  if (/called listen\(\) within \d+ s of the start of its import/.test(message))
    return {
      page: 'the error page',
      fix: `${/the likelier cause/.test(message) ? `export default app from ${entry}, or make what its listen() waits for answer,` : `make what ${entry}'s listen() waits for answer, or export default app from it,`} ${then}`,
      summary: `${entry} did not call listen() in time`,
    }
  return { page: 'the error page', fix: `export a handler from ${entry} ${then}`, summary: `${entry} exports no handler` }
}

/** What is wrong with the code `target` serves, if anything (none while the first build runs). */
export function servedProblem(
  target: Target | Promise<Target> | undefined,
  entry: string,
  roots: ProjectRoots,
  // A boolean: whether a save reloads, from callers that show only the page.
  refresh: Refresh | boolean = true,
): Problem | undefined {
  if (!target || target instanceof Promise) return undefined
  const how = typeof refresh === 'boolean' ? { reload: refresh } : refresh
  if (target.kind === 'failure') return problemOf(target.view.error?.name === 'ImportTimeoutError' ? 'hang' : 'build', target.view.error, entry, roots, how)
  const { loadError: error, importedBy, workers } = target.generation
  const problem = error ? problemOf(error.name === 'HandlerShapeError' ? 'shape' : 'import', error, entry, roots, how) : undefined
  if (!problem || importedBy === 0) return problem
  // Some workers imported the code and serve it; the others answer with the error page: a request gets either.
  const failed = workers - importedBy
  return {
    ...problem,
    page: `the app from ${importedBy} of ${workers} workers and the error page from the other${failed === 1 ? '' : ` ${failed}`}`,
    summary: `${problem.summary} in ${failed} of ${workers} workers (the other${importedBy === 1 ? '' : 's'} serve${importedBy === 1 ? 's' : ''} the app)`,
  }
}

/** The line after a failed start: the state of the server and the next step. */
export function stateLine(problem: Problem, url: string): string {
  return `✘ serving ${problem.page} on ${url} — ${problem.fix}`
}

function locate(error: ErrorData, roots: ProjectRoots): { short: string; full: string } | undefined {
  const frame = errorLocation(error, roots)
  if (!frame) return undefined
  const file = shownPath(frame.file, roots)
  return { short: `${file}:${frame.line}`, full: `${file}:${frame.line}:${frame.column}` }
}

/** The first place in the project's own files `error` points at: its stack, else its cause's or first inner error's. */
export function errorLocation(error: ErrorData, roots: ProjectRoots): SourceLocation | undefined {
  for (let e: ErrorData | undefined = error; e; e = e.cause ?? e.errors?.[0]) {
    const frame = userFrame(e.stack, roots)
    if (frame) return frame
  }
  return undefined
}
