// Memory of a process and all its descendants, and small helpers shared by the
// bench/ scripts that start servers as child processes.
import { readdirSync, readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { percentileOf } from '../src/bench-command/stats.js'

export interface ProcessMemory {
  pid: number
  /** supervisor (the first process of a tree with children), server, esbuild, or the process's name. */
  role: string
  rssMiB: number
  /** RSS with each page shared between processes divided among them: what the process adds to the machine. */
  pssMiB: number
}

const kB = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024

/** `pid` and its descendants, depth first. A process that ended meanwhile is left out. */
export function processTree(pid: number): ProcessMemory[] {
  const rows: ProcessMemory[] = []
  const visit = (id: number) => {
    let rollup: string
    let name: string
    try {
      rollup = readFileSync(`/proc/${id}/smaps_rollup`, 'utf8')
      name = readFileSync(`/proc/${id}/comm`, 'utf8').trim()
    } catch {
      return
    }
    const children: number[] = []
    for (const task of readdirSync(`/proc/${id}/task`)) {
      try {
        const list = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8').trim()
        if (list) children.push(...list.split(/\s+/).map(Number))
      } catch {
        // The thread ended.
      }
    }
    const comm = (child: number) => {
      try {
        return readFileSync(`/proc/${child}/comm`, 'utf8').trim()
      } catch {
        return ''
      }
    }
    // A Node process whose child is Node as well supervises it. Node 24 names
    // its main thread, and so the process, MainThread.
    const isNode = (n: string) => n === 'node' || n === 'MainThread'
    const role = name === 'esbuild' ? 'esbuild' : isNode(name) ? (children.some((c) => isNode(comm(c))) ? 'supervisor' : 'server') : name
    rows.push({ pid: id, role, rssMiB: kB(rollup, 'Rss'), pssMiB: kB(rollup, 'Pss') })
    for (const child of children) visit(child)
  }
  visit(pid)
  return rows
}

const TICKS_PER_SECOND = 100 // USER_HZ on Linux

/** CPU time (user + system, all threads) used so far by `pid` and its descendants, in ms. */
export function treeCpuMs(pid: number): number {
  let total = 0
  const visit = (id: number) => {
    try {
      // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
      const fields = readFileSync(`/proc/${id}/stat`, 'utf8').split(') ')[1]!.split(' ')
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
      for (const task of readdirSync(`/proc/${id}/task`)) {
        const list = readFileSync(`/proc/${id}/task/${task}/children`, 'utf8').trim()
        for (const child of list ? list.split(/\s+/) : []) visit(Number(child))
      }
    } catch {
      // Ended meanwhile.
    }
  }
  visit(pid)
  return total
}

/** A port nothing listens on now (fixed ports collide with ephemeral ones on a busy machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo
      probe.close(() => resolve(port))
    })
  })
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One reading per process moves with garbage collection: per process, the median of `count` readings 200 ms apart. */
export async function settledTree(pid: number, count: number): Promise<ProcessMemory[]> {
  const readings: ProcessMemory[][] = []
  for (let i = 0; i < count; i++) {
    readings.push(processTree(pid))
    await sleep(200)
  }
  const median = (i: number, key: 'rssMiB' | 'pssMiB') =>
    percentileOf(
      readings.map((r) => r[i]?.[key] ?? 0),
      50,
    )
  return readings[0]!.map((row, i) => ({ ...row, rssMiB: median(i, 'rssMiB'), pssMiB: median(i, 'pssMiB') }))
}
