// The config's `loaders` (config/loaders.ts) as esbuild's `loader` option,
// set by a plugin that only edits the options: it registers no callback, so
// it costs no round trip to esbuild's process on a rebuild.
import type { Plugin } from 'esbuild'
import type { Loader } from '../config/loaders.js'

export function loaderOption(loaders: Readonly<Record<string, Loader>>): Plugin {
  return {
    name: 'hotcell-loaders',
    setup(build) {
      build.initialOptions.loader = { ...build.initialOptions.loader, ...loaders }
    },
  }
}
