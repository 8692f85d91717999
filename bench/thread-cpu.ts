// CPU time of a process's threads from /proc (Linux): the main thread, whose
// id is the process id, and all the others together (worker threads, GC and
// libuv helpers). Per request, this is far steadier than req/s on a shared
// machine: it is what each request costs, whatever else is running.
import { readdirSync, readFileSync } from 'node:fs'

const TICK_US = 1e6 / 100 // USER_HZ is 100 on Linux

export interface ThreadCpu {
  mainUs: number
  othersUs: number
}

export function threadCpu(pid: number): ThreadCpu | undefined {
  try {
    let mainUs = 0
    let othersUs = 0
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')
      // Fields after the command name, which may hold spaces: state is [0], utime [11], stime [12].
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      const us = (Number(fields[11]) + Number(fields[12])) * TICK_US
      if (Number(tid) === pid) mainUs += us
      else othersUs += us
    }
    return { mainUs, othersUs }
  } catch {
    return undefined
  }
}
