// An import through a tsconfig `paths` alias that finds no file (a file
// deleted, moved, misspelt; a `paths` entry removed): esbuild takes the
// specifier for a package and leaves it to Node, whose "Cannot find package
// '@/lib'" names the scope, not the import. hotcell names the import, its
// line, and the alias: as a build error when the import is static, at load
// otherwise, and never an `npm install` of the developer's own alias.
import assert from 'node:assert/strict'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { describe, test } from 'node:test'
import { cleanup, projectDir, request, serveProject, startCli, waitFor } from './helpers.js'

const TSCONFIG = JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'] } } })
const PACKAGE = '{ "name": "p", "private": true, "type": "module" }\n'
const EXISTS = 'export const ok = 1\n'

async function cli(files: Record<string, string>) {
  const project = projectDir(files)
  cleanup(project.remove)
  const run = await startCli(['src/app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
  cleanup(() => run.stop())
  return { project, cli: run }
}

describe('a static import through a tsconfig paths alias to a file that is not there', () => {
  test('is a build error at that import, not at another one under the same scope; adding the file serves', async () => {
    const { project, cli: run } = await cli({
      'package.json': PACKAGE,
      // JSON with comments and trailing commas, as tsconfig files are; the paths come from the base.
      'tsconfig.json': '{\n  // the app\n  "extends": "./tsconfig.base.json",\n}\n',
      'tsconfig.base.json': '{ "compilerOptions": { /* aliases */ "baseUrl": ".", "paths": { "@/*": ["src/*"], }, }, }\n',
      'src/lib/exists.ts': EXISTS,
      'src/app.ts':
        "import { ok } from '@/lib/exists'\nimport { gone } from '@/lib/moved-away'\nexport default { fetch: () => new Response(ok + ' ' + gone) }\n",
    })
    const expected =
      `Could not resolve "@/lib/moved-away": tsconfig.base.json maps '@/*' to src/lib/moved-away, which does not exist ` +
      `(with .ts, .tsx, .js, .jsx or .json added, or as a folder with an index file). Fix the import, or add the file`
    await waitFor(() => run.output().includes(expected), 10_000, `the terminal to say: ${expected}\n${run.output()}`)
    const out = run.output()
    assert.match(out, /src\/app\.ts:2:22:/, out)
    assert.doesNotMatch(out, /npm install|a package is missing|@\/lib\/exists'?,|threw while being imported/, out)
    assert.match(out, /✘ serving the build error page on \S+ — fix src\/app\.ts:2 and save/, out)
    const page = await request(`${run.url}/`)
    assert.equal(page.status, 500)
    assert.ok(page.text.includes(expected), page.text)
    assert.match(page.text, /2 │ import \{ gone \} from '@\/lib\/moved-away'/, page.text)

    project.write('src/lib/moved-away.ts', "export const gone = 'back'\n")
    await waitFor(async () => (await request(`${run.url}/`)).text === '1 back', 10_000, `the added file to be served\n${run.output()}`)
  })

  test('a file moved, its importer updated after: the error page until then, names the old import, then the new code serves', async () => {
    const { project, server } = await serveProject(
      {
        'package.json': PACKAGE,
        'tsconfig.json': TSCONFIG,
        'src/lib/exists.ts': EXISTS,
        'src/utils/slug.ts': "export const slug = 'slug'\n",
        'src/app.ts': "import { ok } from '@/lib/exists'\nimport { slug } from '@/utils/slug'\nexport default { fetch: () => new Response(ok + ' ' + slug) }\n",
      },
      { entry: 'src/app.ts' },
    )
    assert.equal((await request(server.url)).text, '1 slug')
    project.write('src/lib/text/slug.ts', "export const slug = 'moved'\n")
    rmSync(join(project.dir, 'src/utils/slug.ts'))
    const page = await waitFor(
      async () => {
        const reply = await request(server.url)
        return reply.status === 500 ? reply : undefined
      },
      10_000,
      'the build error page',
    )
    assert.match(page.text, /Build failed/)
    assert.match(page.text, /Could not resolve "@\/utils\/slug": \S*tsconfig\.json maps '@\/\*' to \S*src\/utils\/slug, which does not exist/, page.text)
    assert.match(page.text, /src\/app\.ts:2:\d+/, page.text)
    project.write(
      'src/app.ts',
      "import { ok } from '@/lib/exists'\nimport { slug } from '@/lib/text/slug'\nexport default { fetch: () => new Response(ok + ' ' + slug) }\n",
    )
    await waitFor(async () => (await request(server.url)).text === '1 moved', 10_000, 'the updated importer to be served')
  })

  test('an installed package that a pattern also matches serves; one not installed that "*" matches is a package to install', async () => {
    const { project, server } = await serveProject(
      {
        'package.json': PACKAGE,
        // A package of the workspace in packages/ when it is there, from npm when not: TypeScript and esbuild fall back to node_modules.
        'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '*': ['./types/*'], '@/*': ['./src/*'], '@acme/*': ['./packages/*/src'] } } }),
        'node_modules/some-pkg/package.json': '{ "name": "some-pkg", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
        'node_modules/some-pkg/index.js': "export default 'pkg'\n",
        'node_modules/@acme/ui/package.json': '{ "name": "@acme/ui", "version": "1.0.0", "type": "module", "exports": "./index.js" }\n',
        'node_modules/@acme/ui/index.js': "export default 'ui'\n",
        'src/lib/exists.ts': EXISTS,
        'src/app.ts':
          "import { ok } from '@/lib/exists'\nimport pkg from 'some-pkg'\nimport ui from '@acme/ui'\nexport default { fetch: () => new Response(ok + ' ' + pkg + ' ' + ui) }\n",
      },
      { entry: 'src/app.ts' },
    )
    assert.equal((await request(server.url)).text, '1 pkg ui')
    project.write(
      'src/app.ts',
      "import { ok } from '@/lib/exists'\nimport pkg from 'not-installed'\nexport default { fetch: () => new Response(ok + ' ' + pkg) }\n",
    )
    const page = await waitFor(
      async () => {
        const reply = await request(server.url)
        return reply.status === 500 ? reply : undefined
      },
      10_000,
      'the error page',
    )
    assert.match(page.text, /Cannot find package 'not-installed', imported by \S*src\/app\.ts:2\. Install it: npm install not-installed/, page.text)
    assert.doesNotMatch(page.text, /"paths"|maps '\*'/, page.text)
  })
})

describe('an import() through a tsconfig paths alias to a file that is not there', () => {
  test('fails the load at that import(), not at a static import under the same scope', async () => {
    const { server } = await serveProject(
      {
        'package.json': PACKAGE,
        'tsconfig.json': TSCONFIG,
        'src/lib/exists.ts': EXISTS,
        'src/app.ts':
          "import { ok } from '@/lib/exists'\nconst { gone } = await import('@/lib/moved-away')\nexport default { fetch: () => new Response(ok + ' ' + gone) }\n",
      },
      { entry: 'src/app.ts' },
    )
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(
      page.text,
      /Cannot resolve '@\/lib\/moved-away', imported by \S*src\/app\.ts:2: \S*tsconfig\.json maps '@\/\*' to \S*src\/lib\/moved-away/,
      page.text,
    )
    assert.match(page.text, /> 2 \| const \{ gone \} = await import\('@\/lib\/moved-away'\)/, page.text)
    assert.doesNotMatch(page.text, /Cannot resolve '@\/lib\/exists'/, page.text)
  })
})

describe('an import whose tsconfig paths entry is gone', () => {
  test('says no "paths" entry matches it, beside the install command; one that cannot be a package, without it', async () => {
    const { project, cli: run } = await cli({
      'package.json': PACKAGE,
      'tsconfig.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'], '@utils/*': ['./src/utils/*'] } } }),
      'src/lib/exists.ts': EXISTS,
      'src/utils/time.ts': "export const time = 'now'\n",
      'src/app.ts': "import { ok } from '@/lib/exists'\nimport { time } from '@utils/time'\nexport default { fetch: () => new Response(ok + ' ' + time) }\n",
    })
    assert.equal((await request(run.url)).text, '1 now')

    project.write('tsconfig.json', TSCONFIG)
    const expected =
      `Cannot find package '@utils/time', imported by src/app.ts:2, and no "paths" entry of tsconfig.json matches it (it has '@/*'). ` +
      `If '@utils/time' is an alias of yours, add its entry to "paths" in tsconfig.json; if it is a package, install it: npm install @utils/time`
    await waitFor(async () => (await request(run.url)).text.includes(expected), 10_000, `the page to say: ${expected}\n${run.output()}`)
    await waitFor(
      () => /tsconfig\.json changed · an import matches no tsconfig alias and no installed package \(at src\/app\.ts:2:\d+\)/.test(run.output()),
      10_000,
      `the reload line\n${run.output()}`,
    )

    // '@/…' is no package name: no install command.
    project.write('tsconfig.json', JSON.stringify({ compilerOptions: { paths: { '@utils/*': ['./src/utils/*'] } } }))
    const cannot = `Cannot resolve '@/lib/exists', imported by src/app.ts:1: no "paths" entry of tsconfig.json matches it (it has '@utils/*'), and no package can be named '@/lib'`
    const page = await waitFor(
      async () => {
        const reply = await request(run.url)
        return reply.text.includes(cannot) ? reply : undefined
      },
      10_000,
      `the page to say: ${cannot}\n${run.output()}`,
    )
    assert.doesNotMatch(page.text, /npm install/, page.text)
  })

  test('the "paths" in a config that tsconfig.json extends: the message names that file, the one to edit', async () => {
    const { server } = await serveProject(
      {
        'package.json': PACKAGE,
        'tsconfig.json': JSON.stringify({ extends: ['./tsconfig.base.json', './tsconfig.paths.json'] }),
        'tsconfig.base.json': JSON.stringify({ compilerOptions: { strict: true } }),
        'tsconfig.paths.json': JSON.stringify({ compilerOptions: { paths: { '@/*': ['./src/*'] } } }),
        'src/app.ts': "import { time } from '@utils/time'\nexport default { fetch: () => new Response(time) }\n",
      },
      { entry: 'src/app.ts' },
    )
    const page = await request(server.url)
    assert.match(page.text, /no "paths" entry of \S*tsconfig\.paths\.json matches it \(it has '@\/\*'\)\. /, page.text)
    assert.match(page.text, /add its entry to "paths" in \S*tsconfig\.paths\.json;/, page.text)
  })

  test('a package the project declares stays a package to install', async () => {
    const { server } = await serveProject(
      {
        'package.json': '{ "name": "p", "private": true, "type": "module", "dependencies": { "@scope/declared": "^1.0.0" } }\n',
        'tsconfig.json': TSCONFIG,
        'src/app.ts': "import x from '@scope/declared'\nexport default { fetch: () => new Response(x) }\n",
      },
      { entry: 'src/app.ts' },
    )
    const page = await request(server.url)
    assert.match(page.text, /Cannot find package '@scope\/declared', imported by \S*src\/app\.ts:1\. Install it: npm install @scope\/declared/, page.text)
    assert.doesNotMatch(page.text, /"paths"/, page.text)
  })
})

describe('an import under tsconfig baseUrl whose file is not there', () => {
  const FILES = {
    'package.json': PACKAGE,
    'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@/*': ['src/*'] } } }),
    'src/routes/api.ts': "export const api = { fetch: () => new Response('api') }\n",
  }

  test('static: a build error naming baseUrl and the near miss, not a package to install', async () => {
    const { project, cli: run } = await cli({ ...FILES, 'src/app.ts': "import { api } from 'src/routes/apii'\nexport default api\n" })
    const expected =
      `Could not resolve "src/routes/apii": baseUrl '.' of tsconfig.json makes it src/routes/apii, which does not exist ` +
      `(with .ts, .tsx, .js, .jsx or .json added, or as a folder with an index file). Did you mean src/routes/api.ts? Fix the import, or add the file`
    await waitFor(() => run.output().includes(expected), 10_000, `the terminal to say: ${expected}\n${run.output()}`)
    const out = run.output()
    assert.match(out, /src\/app\.ts:1:21:/, out)
    assert.doesNotMatch(out, /npm install|a package is missing|Cannot find package/, out)
    assert.match(out, /✘ serving the build error page on \S+ — fix src\/app\.ts:1 and save/, out)
    project.write('src/app.ts', "import { api } from 'src/routes/api'\nexport default api\n")
    await waitFor(async () => (await request(`${run.url}/`)).text === 'api', 10_000, `the fixed import to be served\n${run.output()}`)
  })

  test('import() at load: names baseUrl, not a package', async () => {
    const { server } = await serveProject(
      { ...FILES, 'src/app.ts': "const { api } = await import('src/routes/apii')\nexport default api\n" },
      { entry: 'src/app.ts' },
    )
    const page = await request(server.url)
    assert.equal(page.status, 500)
    assert.match(
      page.text,
      /Cannot resolve 'src\/routes\/apii', imported by \S*src\/app\.ts:1: baseUrl '\.' of \S*tsconfig\.json makes it \S*src\/routes\/apii, and there is no such file/,
      page.text,
    )
    assert.doesNotMatch(page.text, /npm install/, page.text)
  })
})
