// The build-failed page: for browsers the same Youch page as a runtime error
// (message, code frame at the error's line, what to do), for curl esbuild's
// report; an error at the end of a file points at the code before it, not
// at the empty line after the last newline.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { atCode, type BuildMessage } from '../src/report/build-errors.js'
import { oneBasedColumns } from '../src/report/build-columns.js'
import { projectDir, request, serveProject } from './helpers.js'

const at = (line: number, column: number, lineText: string): BuildMessage => ({
  text: 'Unexpected end of file',
  location: { file: 'app.ts', line, column, length: 0, lineText },
})

describe('atCode', () => {
  test('an error on the blank line after the last newline moves to the end of the last line of code', () => {
    const project = projectDir({ 'app.ts': 'const a = 1\nexport const x = (\n\n' })
    try {
      const [moved] = atCode([at(4, 0, '')], project.dir)
      assert.deepEqual(moved!.location, { file: 'app.ts', line: 2, column: 18, length: 0, lineText: 'export const x = (' })
      // Code after the blank line: the blank line is where the error is.
      project.write('app.ts', 'const a = (\n\nconst b = 2\n')
      assert.deepEqual(atCode([at(2, 0, '')], project.dir)[0]!.location!.line, 2)
      // A location on code is left as it is, and so is one without a file to read.
      assert.deepEqual(atCode([at(1, 10, 'const a = (')], project.dir)[0]!.location!.line, 1)
      assert.deepEqual(atCode([{ ...at(3, 0, ''), location: { ...at(3, 0, '').location!, file: 'gone.ts' } }], project.dir)[0]!.location!.line, 3)
    } finally {
      project.remove()
    }
  })
})

describe('oneBasedColumns', () => {
  test("esbuild's report, plain or coloured: each location's column from 1, the code and the caret as they were", () => {
    // formatMessages' output for an error at column 29 (0-based) with a note at column 0.
    const plain =
      '✘ [ERROR] Unexpected ")"\n\n    app.ts:3:29:\n      3 │     return new Response("x" +)\n        ╵                              ^\n\n  a note\n\n    b.ts:1:0:\n      1 │ x\n        ╵ ^\n\n'
    assert.equal(oneBasedColumns(plain), plain.replace('app.ts:3:29:', 'app.ts:3:30:').replace('b.ts:1:0:', 'b.ts:1:1:'))
    const ansi = '\u001b[1mUnexpected ")"\u001b[0m\n\n    src/a b.ts:12:0:\n\u001b[37m     12 │ \u001b[32m)\u001b[37m\n'
    assert.equal(oneBasedColumns(ansi), ansi.replace('src/a b.ts:12:0:', 'src/a b.ts:12:1:'))
  })
})

describe('the build-failed page', () => {
  test('browsers get the Youch page at the line that has the code; curl gets esbuild’s report at the same place', async () => {
    const { server } = await serveProject({ 'app.ts': 'export default { fetch: () => new Response("hi") }\nexport const x = (\n' })
    const page = await request(server.url, { headers: { accept: 'text/html' } })
    assert.equal(page.status, 500)
    assert.match(page.text, /<title>[^<]*500 · Build failed/)
    assert.match(page.text, /Unexpected end of file/)
    // Youch's frame: the file, the place, and the line's code in the frame.
    assert.match(page.text, /app\.ts[\s\S]*?at line[\s\S]*?2:19/)
    assert.match(page.text, /export[\s\S]{0,200}const[\s\S]{0,200}x/)
    assert.match(page.text, /Fix the error and save/)

    const text = await request(server.url)
    assert.match(text.text, /^500 Build failed\n/)
    assert.match(text.text, /app\.ts:2:19:\n\s+2 │ export const x = \(\n/)
    // Once, as esbuild reports it: not again as a stack.
    assert.doesNotMatch(text.text, /BuildError/)
  })
})
