// Where the time went, from V8 .cpuprofile files (node --cpu-prof): self time
// grouped by where the code lives, and the hottest functions.
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
}

function area(url: string, fn: string): string {
  if (fn === '(garbage collector)') return 'GC'
  if (fn === '(idle)') return 'idle'
  if (fn === '(program)') return 'V8/native (program)'
  if (url.includes('/dist/src/')) return 'hotcell main thread (dist/src)'
  if (url.includes('/dist/workers/')) return 'hotcell worker runtime (dist/workers)'
  if (url.includes('node_modules/piscina')) return 'piscina'
  if (url.includes('node_modules/hono')) return 'hono'
  if (url.includes('.hotcell/')) return 'user bundle'
  if (/node:internal\/(deps\/)?undici|internal\/deps\/undici/.test(url)) return 'undici (Request/Response)'
  if (url.includes('_http') || url.includes('internal/http') || url.includes('node:http')) return 'node:http'
  if (url.includes('internal/worker') || url.includes('internal/per_context/messageport')) return 'worker messaging'
  if (url.includes('net') || url.includes('stream')) return 'net/streams'
  if (url === '') return 'native/builtins'
  return 'other node internals'
}

/** One text block per profile file in `dir`, largest first. */
export function summarizeProfiles(dir: string, top = 8): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))
  const blocks: { total: number; text: string }[] = []
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile
    const counts = new Map<number, number>()
    for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1)
    const byArea = new Map<string, number>()
    const byFn = new Map<string, number>()
    let busy = 0
    for (const node of profile.nodes) {
      const n = counts.get(node.id) ?? 0
      if (!n) continue
      const { functionName, url, lineNumber } = node.callFrame
      const where = area(url, functionName)
      byArea.set(where, (byArea.get(where) ?? 0) + n)
      if (where === 'idle') continue
      busy += n
      const key = `${functionName || '(anonymous)'} ${url ? basename(url) + ':' + (lineNumber + 1) : ''}`.trim()
      byFn.set(key, (byFn.get(key) ?? 0) + n)
    }
    const total = profile.samples.length
    const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`
    const areas = [...byArea].sort((a, b) => b[1] - a[1]).map(([k, v]) => `    ${pct(v, total).padStart(6)}  ${k}`)
    const fns = [...byFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `    ${pct(v, busy).padStart(6)}  ${k}`)
    blocks.push({
      total: busy,
      text: [
        `  ${file}: ${total} samples, ${pct(busy, total)} busy`,
        '   by area (share of all samples):',
        ...areas,
        '   hottest functions (share of busy samples):',
        ...fns,
      ].join('\n'),
    })
  }
  return blocks
    .sort((a, b) => b.total - a.total)
    .map((b) => b.text)
    .join('\n')
}
