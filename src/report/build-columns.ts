// esbuild counts columns from 0 ("app.ts:3:29:" for the 30th character);
// stack traces, editors and terminals' file:line:column links count from 1,
// so a click on a build error's place landed one character left, and an
// error at a line's start read ":4:0". Build errors are shown 1-based, as
// every other place hotcell names.

// The location line of each message and note in esbuild's formatted report,
// with or without colour: four spaces, then "file:line:column:" alone on its line.
const LOCATION_LINE = /^( {4}[^\s].*?:\d+:)(\d+):$/gm

/** esbuild's formatted report (formatMessages) with every location's column counted from 1. */
export function oneBasedColumns(report: string): string {
  return report.replace(LOCATION_LINE, (_, head: string, column: string) => `${head}${Number(column) + 1}:`)
}
