// Counts grouped by thousands ("12,345"), as toLocaleString('en-US') writes
// them, without Intl: its first use maps ~5 MiB of ICU's data into the
// process (clock.ts), and the server prints counts under load.

/** `n` rounded to an integer, its digits grouped by three with commas. */
export function thousands(n: number): string {
  const rounded = Math.round(n)
  const grouped = String(Math.abs(rounded)).replace(/\B(?=(\d{3})+$)/g, ',')
  return rounded < 0 ? `-${grouped}` : grouped
}
