// A native addon that fails to load (ERR_DLOPEN_FAILED): no save fixes it.
// - Built for another Node version (installed under Node 20, run under Node
//   24): a rebuild under this Node does, and then only a new server process
//   loads it (the failed load stays in this one): the r key starts one.
// - Not context-aware (a legacy NODE_MODULE): only one thread per process can
//   load it, and hotcell loads the code in several (workers/native-addon-errors.ts).
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { describe, test } from 'node:test'
import { BIN, cleanup, projectDir, request, requires, startCli, waitFor } from './helpers.js'

// What process.dlopen() throws for such an addon, word for word from Node 24 (the test needs no compiler).
const ADDON = `const error = new Error("The module '" + __dirname + "/build/Release/fake_addon.node'\\\\nwas compiled against a different Node.js version using\\\\nNODE_MODULE_VERSION 115. This version of Node.js requires\\\\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\\\\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).")
error.code = 'ERR_DLOPEN_FAILED'
throw error
`

// What a legacy addon does, without a compiler: the first thread of the process to load it gets it, the others Node's error.
const LEGACY = `const { openSync } = require('node:fs')
try {
  openSync(__dirname + '/loaded-by-' + process.pid, 'wx')
} catch {
  const error = new Error("Module did not self-register: '" + __dirname + "/build/Release/legacy.node'.")
  error.code = 'ERR_DLOPEN_FAILED'
  throw error
}
module.exports = 'legacy says hi'
`

const wrongVersion = {
  'package.json': '{ "name": "app", "private": true, "type": "module" }\n',
  'node_modules/@acme/fake-addon/package.json': '{ "name": "@acme/fake-addon", "main": "index.js" }\n',
  'node_modules/@acme/fake-addon/index.js': ADDON,
  'app.ts': "import addon from '@acme/fake-addon'\nexport default { fetch: () => new Response(String(addon)) }\n",
}

describe('a native addon built for another Node version', () => {
  test('its error says to rebuild it and restart the server process; the last line says so, and offers no key without a terminal', async () => {
    const project = projectDir(wrongVersion)
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    const hint = `It was built for another Node version than the one running hotcell (${process.version}). Rebuild it for this one: npm rebuild @acme/fake-addon; then restart the server process: the failed load stays in this one, so a reload cannot load the rebuilt file, and a new process does`
    await waitFor(() => cli.output().includes(hint), 10_000, `the hint\n${cli.output()}`)
    // stdin is not a terminal here: the r key would not work.
    await waitFor(
      () => /✘ serving the error page on \S+ — run npm rebuild @acme\/fake-addon, then restart hotcell\n/.test(cli.output()),
      10_000,
      `the last line\n${cli.output()}`,
    )
    assert.doesNotMatch(cli.output(), /and save|press r/)
  })

  test('in a terminal, r starts a new server process, which is what loads a rebuilt addon', {
    skip: requires('/usr/bin/script', 'apt-get install util-linux'),
  }, async () => {
    const project = projectDir(wrongVersion)
    cleanup(project.remove)
    // script(1) gives hotcell a terminal; its own copy of the output goes to a file of the project.
    const command = `${process.execPath} ${BIN} app.ts --port 0 --workers 1 --host 127.0.0.1`
    const child = spawn('/usr/bin/script', ['-qfec', command, join(project.dir, 'typescript')], {
      cwd: project.dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    cleanup(async () => {
      if (child.exitCode === null) child.stdin.write('q')
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())])
      if (child.exitCode === null) child.kill('SIGKILL')
    })
    await waitFor(() => /then press r \(a new server process loads it\)/.test(output), 15_000, `the last line\n${output}`)
    // The keys are read once the banner is out: pressed until hotcell answers.
    await waitFor(
      () => {
        if (!output.includes('starting a new server process')) child.stdin.write('r')
        return output.includes('starting a new server process')
      },
      10_000,
      `the answer to r\n${output}`,
    )
    await waitFor(() => (output.match(/hotcell ready on /g) ?? []).length === 2, 15_000, `a second server process\n${output}`)
    assert.doesNotMatch(output, /the server process (died|exited|crashed)/)
  })
})

/** An app that answers with `version` and what the compiled addon says. */
const app = (version: number) =>
  `import addon from 'legacy-addon'\nconst V = ${version}\nexport default { fetch: () => new Response(V + ' ' + addon.hello()) }\n`

describe('a native addon that is not context-aware', () => {
  test('with two workers, one serves the app and the other the error page: the error names the addon and why, the last line says which', async () => {
    const project = projectDir({
      'package.json': '{ "name": "app", "private": true, "type": "module" }\n',
      'node_modules/@acme/legacy-addon/package.json': '{ "name": "@acme/legacy-addon", "main": "index.js" }\n',
      'node_modules/@acme/legacy-addon/index.js': LEGACY,
      'app.ts': "import addon from '@acme/legacy-addon'\nexport default { fetch: () => new Response(String(addon)) }\n",
    })
    cleanup(project.remove)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '2'], { cwd: project.dir })
    cleanup(() => cli.stop())
    await waitFor(() => cli.output().includes('✘ serving'), 10_000, `the last line\n${cli.output()}`)
    assert.match(
      cli.output(),
      /\n@acme\/legacy-addon \(\S+legacy\.node\) is a native addon that is not context-aware \(a legacy NODE_MODULE, not N-API\): Node does not support loading it in more than one thread/,
    )
    assert.match(
      cli.output(),
      /✘ serving the app from 1 of 2 workers and the error page from the other on \S+ — use a version of @acme\/legacy-addon that supports worker threads \(N-API\); the error above says why\n/,
    )
    assert.doesNotMatch(cli.output(), /and save/)
    const statuses = new Set((await Promise.all(Array.from({ length: 8 }, () => request(cli.url)))).map((r) => r.status))
    assert.ok(statuses.has(200), `some request got the app: ${[...statuses]}`)
  })

  // A real legacy NODE_MODULE addon, compiled here: Node's own error, not a copy of it.
  const headers = join(dirname(process.execPath), '..', 'include', 'node')
  const compiler = requires('/usr/bin/g++', 'apt-get install g++')
  const skip = compiler || (!existsSync(join(headers, 'node.h')) && `Node's headers are not at ${headers}`)
  test('compiled: a save fails while the old worker has the library loaded; the error says why, and the reload line names the addon', { skip }, async () => {
    // A CommonJS project, as the trial's was: in an ES module one, Node 20 reported this import's error as an unhandled rejection.
    const project = projectDir({
      'package.json': '{ "name": "app", "private": true, "type": "commonjs" }\n',
      'node_modules/legacy-addon/package.json': '{ "name": "legacy-addon", "main": "index.js" }\n',
      'node_modules/legacy-addon/index.js': "module.exports = require('./legacy.node')\n",
      'node_modules/legacy-addon/legacy.cc':
        '#include <node.h>\nusing namespace v8;\n' +
        'static void Hello(const FunctionCallbackInfo<Value>& args) { args.GetReturnValue().Set(String::NewFromUtf8(args.GetIsolate(), "hi").ToLocalChecked()); }\n' +
        'static void Init(Local<Object> exports) { NODE_SET_METHOD(exports, "hello", Hello); }\nNODE_MODULE(legacy, Init)\n',
      'app.ts': app(1),
    })
    cleanup(project.remove)
    const dir = join(project.dir, 'node_modules/legacy-addon')
    const built = spawnSync('/usr/bin/g++', ['-shared', '-fPIC', '-std=c++20', `-I${headers}`, '-o', 'legacy.node', 'legacy.cc'], {
      cwd: dir,
      encoding: 'utf8',
    })
    assert.equal(built.status, 0, built.stderr)
    const cli = await startCli(['app.ts', '--port', '0', '--workers', '1'], { cwd: project.dir })
    cleanup(() => cli.stop())
    assert.equal((await request(cli.url)).text, '1 hi')
    // The new generation imports while the old one still has the library loaded.
    writeFileSync(join(project.dir, 'app.ts'), app(2))
    await waitFor(
      () => /↻ app\.ts changed · legacy-addon is a native addon that is not context-aware: Node does not support it in more than one thread/.test(cli.output()),
      10_000,
      cli.output(),
    )
    assert.match(
      cli.output(),
      /Module did not self-register: '\S+legacy\.node'\.\nlegacy-addon \(\S+legacy\.node\) is a native addon that is not context-aware/,
    )
  })
})
