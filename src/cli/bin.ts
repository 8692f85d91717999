#!/usr/bin/env node
// The `hotcell` command's launcher (bundled as dist/src/cli/hotcell.cjs).
// Serving runs in a child process restarted if a V8 fatal error takes the
// whole process down (supervisor.ts). `hotcell bench` measures a server that
// lives only for the run, so it is not supervised. HOTCELL_NO_SUPERVISOR=1
// runs in this process (e.g. under a debugger).
//
// The launcher and the server are two CommonJS bundles: the supervisor
// compiles only this small one before it forks (the whole command in one
// file was 337 KB: 4-7 ms to compile, more than the ES module loader it
// replaced), and the server never goes through the ES module loader.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { unsupportedNode } from './node-version.js'
import { keepServingWithoutReader } from './reader-errors.js'
import { supervise } from './supervisor.js'

const SERVER = fileURLToPath(new URL('./hotcell-server.cjs', import.meta.url))

const unsupported = unsupportedNode()
if (unsupported) {
  process.stderr.write(`${unsupported}\n`)
  process.exit(1)
}

const supervised = process.argv[2] !== 'bench' && process.env.HOTCELL_SUPERVISED !== '1' && process.env.HOTCELL_NO_SUPERVISOR !== '1'
if (supervised) {
  // `node --inspect node_modules/.bin/hotcell …` (or --inspect in NODE_OPTIONS)
  // is meant for the server: the child is started with the same flags, and
  // this process's inspector would hold the port it asks for.
  if (/--inspect/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) process.getBuiltinModule('node:inspector').close()
  // The child is forked first: its boot is most of the start. Creating the
  // standard streams (~2 ms) comes after.
  const exited = supervise({ script: SERVER, argv: process.argv.slice(2), stderr: () => process.stderr })
  keepServingWithoutReader()
  void exited.then((code) => {
    process.exitCode = code
  })
} else {
  createRequire(import.meta.url)(SERVER)
}
