/** One server configuration under test: entry A or B at a worker count, or the inline baseline. */
export interface Variant {
  /** 'A' is the entry, 'B' the --compare entry, 'baseline' the handler inline on node:http. */
  target: 'A' | 'B' | 'baseline'
  entry: string
  /** Worker threads; 0 for the baseline, which has none. */
  workers: number
}

export interface PlannedRun {
  /** 1-based position in the whole session. */
  order: number
  round: number
  config: Variant
}

export interface PlanInput {
  entry: string
  compare: string | undefined
  baseline: boolean
  workers: number[]
  rounds: number
}

export function configsOf(input: PlanInput): Variant[] {
  const configs: Variant[] = []
  for (const workers of input.workers) {
    configs.push({ target: 'A', entry: input.entry, workers })
    if (input.compare) configs.push({ target: 'B', entry: input.compare, workers })
  }
  if (input.baseline) configs.push({ target: 'baseline', entry: input.entry, workers: 0 })
  return configs
}

/**
 * Every configuration once per round, rounds one after another: A B A B …
 * Interleaving spreads slow drift of a shared machine (another job starting,
 * thermal limits) over all configurations instead of charging it to one.
 */
export function planRuns(input: PlanInput): PlannedRun[] {
  const configs = configsOf(input)
  const runs: PlannedRun[] = []
  for (let round = 1; round <= input.rounds; round++) {
    for (const config of configs) runs.push({ order: runs.length + 1, round, config })
  }
  return runs
}

export const configKey = (config: Variant): string => (config.target === 'baseline' ? 'baseline' : `${config.target}@${config.workers}`)
