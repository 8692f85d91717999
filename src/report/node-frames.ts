// Node's own frames in a stack: what runs timers, the microtask queue, web
// streams and the module loader (node:internal/…), and Node's public modules
// (node:fs, node:events). The developer's frame under them already names the
// call that went into Node, with a code frame; the frames inside say nothing
// they can act on, and whether they are public is Node's own layout (the
// same kind of call shows as node:fs for fs.readFileSync, as
// node:internal/fs/promises for fs/promises' readFile). So public modules go
// too. The text page and the terminal show each run of them as
// one line with a count; the browser page (Youch) keeps them, hidden until
// its "View All Frames" switch is on, and its "Raw" view has the whole stack.

/** `at fn (node:…:1:2)`, `at node:…:1:2`, `at async fn (node:…)`: a frame whose code is Node's. */
const NODE_FRAME = /^\s*at (?:async )?(?:.*\()?node:[\w/.-]+:\d+:\d+\)?\s*$/

/** The lines that stand for hidden frames (the logger dims them): a run of Node's, or repeats of the frame above. */
export const NODE_FRAMES_LINE = /^[ \t]*\u2026 (?:\d+ frames? inside Node\.js|the frame above \d+ more times?)$/

export function isNodeFrame(line: string): boolean {
  return NODE_FRAME.test(line)
}

/**
 * `frames` (`at …` lines) with each run of Node's frames replaced by one
 * "… n frames inside Node.js" line; empty when every frame is Node's: a stack
 * of nothing but Node's frames points nowhere, the message says it all.
 */
export function collapseNodeFrames(frames: string[]): string[] {
  if (frames.every(isNodeFrame)) return []
  const out: string[] = []
  let run = 0
  const close = () => {
    if (run > 0) out.push(`… ${run} ${run === 1 ? 'frame' : 'frames'} inside Node.js`)
    run = 0
  }
  for (const frame of frames) {
    if (isNodeFrame(frame)) run++
    else {
      close()
      out.push(frame)
    }
  }
  close()
  return out
}

/**
 * `frames` with each run of one repeated frame (a recursion: a stack
 * overflow shows the same line ten times) as that frame and one line with
 * the count.
 */
export function collapseRepeats(frames: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < frames.length; ) {
    let j = i + 1
    while (j < frames.length && frames[j] === frames[i]) j++
    out.push(frames[i]!)
    const more = j - i - 1
    if (more === 1) out.push(frames[i]!)
    else if (more > 1) out.push(`… the frame above ${more} more times`)
    i = j
  }
  return out
}
