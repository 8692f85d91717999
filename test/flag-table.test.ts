// The one table of flags: parsing, suggestions, help layout and the mapping to serve() options.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { flagHelp, parseFlags, suggestFlag, type Flag } from '../src/cli/flag-table.js'
import { flagsToOptions, SERVE_FLAGS } from '../src/cli/serve-flags.js'
import { HotcellError } from '../src/errors.js'

describe('flag table', () => {
  test('a mistyped flag suggests the nearest one, and only a near one', () => {
    assert.equal(suggestFlag('--prot', SERVE_FLAGS), '--port')
    assert.equal(suggestFlag('--wrokers', SERVE_FLAGS), '--workers')
    assert.equal(suggestFlag('--no-relaod', SERVE_FLAGS), '--no-reload')
    assert.equal(suggestFlag('--body-limt=5mb', SERVE_FLAGS), '--body-limit')
    assert.equal(suggestFlag('--allowed', SERVE_FLAGS), '--allowed-hosts')
    assert.equal(suggestFlag('--frobnicate', SERVE_FLAGS), undefined)
    assert.equal(suggestFlag('--x', SERVE_FLAGS), undefined)
  })

  test('parse errors are HotcellErrors of one line that name the flag', () => {
    const cases: [string[], RegExp][] = [
      [['--prot', '80'], /^unknown option --prot\. Did you mean --port\? Run hotcell --help to see the options\.$/],
      [['--port'], /^--port needs a value: --port <n>\. Run hotcell --help/],
      [['--quiet=yes'], /^--quiet takes no value\./],
      [['-port', '3001', 'app.ts'], /^unknown option -port: long options take two dashes \(--port\)\. Run hotcell --help/],
      [['app.ts', '-quiet'], /^unknown option -quiet: long options take two dashes \(--quiet\)\./],
    ]
    for (const [argv, expected] of cases) {
      assert.throws(
        () => parseFlags(argv, SERVE_FLAGS, 'hotcell --help'),
        (error: unknown) => error instanceof HotcellError && error.code === 'ERR_INVALID_OPTION' && expected.test(error.message),
        argv.join(' '),
      )
    }
  })

  test('help: one entry per flag, defaults in their column, long ones on a line of their own', () => {
    const flags: Flag[] = [
      { name: 'port', short: 'p', type: 'string', value: '<n>', help: 'port to listen on', default: '3000' },
      { name: 'reload', type: 'boolean', negated: true, help: 'serve without watching\nor reloading', default: 'watch and reload' },
      { name: 'inspect', type: 'string', value: '[=<port>]', help: 'debugger', default: 'off' },
      { name: 'config', type: 'string', value: '<file>', help: 'config file\n', default: 'a default much too long to fit in the column of defaults at all' },
      { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
    ]
    assert.equal(
      flagHelp(flags),
      [
        '  -p, --port <n>          port to listen on                        (default: 3000)',
        '      --no-reload         serve without watching',
        '                          or reloading                             (default: watch and reload)',
        '      --inspect[=<port>]  debugger                                 (default: off)',
        '      --config <file>     config file',
        '                          (default: a default much too long to fit in the column of defaults at all)',
        '  -h, --help              show this help',
        '',
      ].join('\n'),
    )
  })

  test("--ignore's default does not say node_modules is never watched: npm's record in it is, and an install reloads", () => {
    // missing-package.test.ts: writing node_modules/.package-lock.json reloads, with the default ignores.
    const ignore = SERVE_FLAGS.find((flag) => flag.name === 'ignore')!
    assert.match(ignore.default!, /node_modules except npm's \.package-lock\.json in it/)
  })

  test('the serve help documents every flag of the parser', () => {
    const help = flagHelp(SERVE_FLAGS)
    for (const flag of SERVE_FLAGS) assert.match(help, new RegExp(`--${flag.negated ? 'no-' : ''}${flag.name}\\b`), flag.name)
  })

  test('flags become serve() options, and remember how they were spelled', () => {
    const { values } = parseFlags(
      ['app.ts', '-p', '8080', '--no-reload', '--allowed-hosts', 'a.test,.b.test', '--env-file', '.env', '--env-file', '.env.local', '--inspect=9300'],
      SERVE_FLAGS,
      'hotcell --help',
    )
    const { options, spelled } = flagsToOptions(values)
    assert.deepEqual(options, { port: 8080, reload: false, allowedHosts: ['a.test', '.b.test'], envFile: ['.env', '.env.local'], inspect: 9300 })
    assert.equal(spelled.get('reload'), '--no-reload')
    assert.equal(spelled.get('port'), '--port')
    assert.throws(
      () => flagsToOptions(parseFlags(['-w', '0'], SERVE_FLAGS, 'x').values),
      /^HotcellError: --workers must be a whole number from 1 to 64 \(got "0"\)$/,
    )
  })
})
