// A context's rebuild result reaches this process in esbuild's 'on-end'
// message; esbuild's process then waits for this process to answer it, and
// only then answers the rebuild() call itself. That second round trip
// between the two processes came after the result was already here: 0.3-0.4
// ms of every reload (Node 20, a two-file app, bench/reload-phases.ts). An
// onEnd callback sees the result with the first message, and the build goes
// on from there.
//
// No save is lost by not waiting: a rebuild() sent while esbuild's process
// is still ending the build before gets that build's state back with no
// on-end of its own, and esbuild's JS API then asks for another build
// (triggerAnotherBuild in its lib/shared/common.ts). A test holds that.
import type * as esbuild from 'esbuild'

type Result = esbuild.BuildResult<{ write: false; metafile: true }>

export class EarlyEnd {
  #waiting: ((result: Result) => void) | undefined

  /** Goes into every context this builder makes: an onEnd alone adds no round trip (esbuild sends a context's on-end anyway). */
  readonly plugin: esbuild.Plugin = {
    name: 'hotcell-early-end',
    setup: (build) => {
      build.onEnd((result) => {
        const waiting = this.#waiting
        this.#waiting = undefined
        waiting?.(result as Result)
      })
    },
  }

  /** `context.rebuild()`, resolved at the build's on-end when it succeeded; a failure comes as rebuild()'s rejection, as before. */
  async rebuild(context: esbuild.BuildContext): Promise<Result> {
    const early = new Promise<Result>((resolve) => {
      this.#waiting = resolve
    })
    const late = context.rebuild() as Promise<Result>
    try {
      const first = await Promise.race([early, late])
      if (first.errors.length > 0) return await late
      // Settles a moment later with this same result; a rejection then (esbuild's process gone) is the next build's to report.
      late.catch(() => {})
      return first
    } finally {
      this.#waiting = undefined
    }
  }
}
