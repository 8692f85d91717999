import { HotcellError } from '../errors.js'

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  kb: 1024,
  kib: 1024,
  k: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  m: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  g: 1024 ** 3,
}

/** `"10mb"`, `"512kb"`, `"1.5MiB"`, `1048576` → bytes (binary units, as body-parser counts). */
export function parseSize(value: string | number, option: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(value))
  const unit = match ? UNITS[match[2]!.toLowerCase()] : undefined
  if (!match || unit === undefined) {
    throw new HotcellError('ERR_INVALID_OPTION', `${option} must be a size such as 512kb, 10mb or 1gb (got ${JSON.stringify(value)})`)
  }
  return Math.floor(Number(match[1]) * unit)
}
