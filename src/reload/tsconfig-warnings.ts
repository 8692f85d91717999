// TypeScript options esbuild does not implement, which change what the code
// does at run time. emitDecoratorMetadata is the one that matters: NestJS,
// TypeORM and Inversify read `design:paramtypes` for dependency injection,
// and without it they fail far from the cause ("Nest can't resolve
// dependencies of …"). tsc and tsx (through esbuild, the same) differ here:
// tsx is silent too. Read after the first response, off the start's path.
import { readFile } from 'node:fs/promises'
import { relative } from 'node:path'

// tsconfig is JSON with comments: a match of the option set to true is enough to warn on.
const METADATA = /"emitDecoratorMetadata"\s*:\s*true/

/** A line for each tsconfig of the project that turns on emitDecoratorMetadata. */
export async function unsupportedTsconfigOptions(files: readonly string[], cwd: string): Promise<string[]> {
  const lines: string[] = []
  for (const file of files) {
    const text = await readFile(file, 'utf8').catch(() => '')
    if (!METADATA.test(text)) continue
    lines.push(
      `hotcell: ${relative(cwd, file) || file} sets emitDecoratorMetadata, which esbuild does not implement: no design:type or ` +
        `design:paramtypes metadata is emitted, so dependency injection that reads it (NestJS, TypeORM, Inversify) cannot find ` +
        `constructor parameters; give them explicitly (@Inject(Service)), or run such an app with tsc`,
    )
  }
  return lines
}
