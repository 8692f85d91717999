// The command is bundled as CommonJS and loads ES-module-only packages
// (chokidar) with require(), which Node has by default since 20.19 and
// 22.12. On an older Node that failed deep in the start with ERR_REQUIRE_ESM
// and a stack; this says what is wrong first, in one line.

/** Why this Node cannot run the command, or undefined when it can. */
export function unsupportedNode(
  version: string = process.versions.node,
  canRequireEsm: boolean = process.features.require_module === true,
): string | undefined {
  if (canRequireEsm) return undefined
  const [major = 0, minor = 0] = version.split('.').map(Number)
  const recent = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23
  if (recent)
    return `hotcell needs require() of ES modules, which this Node.js (v${version}) has turned off: remove --no-experimental-require-module from the command line or NODE_OPTIONS.`
  return `hotcell needs Node.js 20.19 or newer (22.12 or newer on Node 22); this is v${version}. Install a current LTS release from https://nodejs.org and run the command again.`
}
