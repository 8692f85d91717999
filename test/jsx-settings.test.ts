// JSX whose compile settings are wrong: the error names the setting, not
// hotcell's bundle nor the .tsx file that has no such import.
// - a jsxImportSource that names no importable runtime (a typo, a library not
//   installed), set in a tsconfig the app's extends: the page and terminal
//   name "jsxImportSource" in that file, at its line, and the fix line says
//   to fix it there;
// - no JSX settings at all: "React is not defined" says which settings a
//   Hono (or Preact) app needs.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, startCli, waitFor } from './helpers.js'

const APP = `import { Hono } from 'hono'
const app = new Hono()
const Page = (props: { name: string }) => <h1>Hello {props.name}</h1>
app.get('/', (c) => c.html(<Page name="jsx" />))
export default app
`
const BASE = (source: string) => `{
  // shared by the apps
  "compilerOptions": {
    "strict": true,
    "jsx": "react-jsx",
    "jsxImportSource": "${source}"
  }
}
`

async function start(files: Record<string, string>) {
  const project = projectDir({ 'package.json': '{ "name": "p", "private": true, "type": "module" }\n', ...files })
  cleanup(project.remove)
  const cli = await startCli(['src/app.tsx', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => cli.stop())
  return cli
}

describe('JSX settings', () => {
  test("a typo in an extended tsconfig's jsxImportSource names that setting, at its line, and not the bundle", async () => {
    const cli = await start({
      'src/app.tsx': APP,
      'tsconfig.base.json': BASE('hono/jsxx'),
      'tsconfig.json': '{ "extends": "./tsconfig.base.json" }\n',
    })
    const page = await request(`${cli.url}/`, { headers: { accept: 'text/plain' } })
    assert.equal(page.status, 500)
    assert.ok(
      page.text.includes(
        `Package 'hono' has no export './jsxx/jsx-runtime': the JSX of src/app.tsx imports 'hono/jsxx/jsx-runtime', set by "jsxImportSource": "hono/jsxx" in tsconfig.base.json. Fix "jsxImportSource" there`,
      ),
      page.text,
    )
    assert.match(page.text, /tsconfig\.base\.json:6:5/, page.text)
    assert.match(page.text, /> 6 \| {5}"jsxImportSource": "hono\/jsxx"/, page.text)
    await waitFor(() => /✘ serving the error page .* fix "jsxImportSource" in tsconfig\.base\.json and save/.test(cli.output()), 10_000, 'the fix line')
    assert.doesNotMatch(cli.output() + page.text, /\.hotcell|node:internal/, cli.output())
  })

  test('a jsxImportSource library that is not installed: the setting, or the install', async () => {
    const cli = await start({ 'src/app.tsx': APP, 'tsconfig.json': BASE('jsx-lib-not-installed') })
    const page = await request(`${cli.url}/`, { headers: { accept: 'text/plain' } })
    assert.equal(page.status, 500)
    assert.ok(
      page.text.includes(
        `Cannot find package 'jsx-lib-not-installed': the JSX of src/app.tsx imports 'jsx-lib-not-installed/jsx-runtime', set by "jsxImportSource": "jsx-lib-not-installed" in tsconfig.json.`,
      ),
      page.text,
    )
    assert.match(page.text, /or install the package: npm install jsx-lib-not-installed/, page.text)
    await waitFor(() => /fix "jsxImportSource" in tsconfig\.json and save, or run npm install jsx-lib-not-installed/.test(cli.output()), 10_000, 'the fix line')
  })

  test('a .tsx file without JSX settings: "React is not defined" says which settings are missing', async () => {
    const cli = await start({ 'src/app.tsx': APP })
    const page = await request(`${cli.url}/`, { headers: { accept: 'text/plain' } })
    assert.equal(page.status, 500)
    assert.match(page.text, /ReferenceError: React is not defined\nJSX compiles to React\.createElement\(…\) unless the tsconfig\.json/, page.text)
    assert.match(page.text, /"jsx": "react-jsx" and "jsxImportSource" to your JSX library \(Hono: "hono\/jsx"/, page.text)
    assert.match(page.text, /src\/app\.tsx:4:\d+/, page.text)
  })
})
