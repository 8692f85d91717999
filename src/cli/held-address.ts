// The address of the listening socket the supervisor holds (supervisor.ts).
// A server process it restarts takes that socket over, so it serves there
// whatever its options now ask: its config says so too (host checks, the
// certificate's names and the banner read it), and the user is told when
// the options ask for another address.
import type { Config } from '../config/resolve-config.js'

export interface HeldAddress {
  /** The host as the first server process's options named it. */
  host: string
  /** The port it bound. */
  port: number
}

const VARIABLE = 'HOTCELL_HELD_ADDRESS'

/** What follows "<config file> asks for port 4000, but ". */
export const HELD_ADDRESS_NOTE = 'the server restarted on the address it had (hotcell keeps it open across restarts): stop and start hotcell to move it'

/** The environment a restarted server process gets. */
export function heldAddressEnv(address: HeldAddress): Record<string, string> {
  return { [VARIABLE]: JSON.stringify(address) }
}

/** In a restarted server process: the address it takes over. */
export function heldAddress(env: NodeJS.ProcessEnv): HeldAddress | undefined {
  const text = env[VARIABLE]
  if (env.HOTCELL_SUPERVISED !== '1' || env.HOTCELL_INHERIT_SOCKET !== '1' || !text) return undefined
  const value = JSON.parse(text) as HeldAddress
  return typeof value?.host === 'string' && Number.isInteger(value.port) ? value : undefined
}

/**
 * `config` served on the held address, and what it asked for instead, if
 * anything ("port 4000", "host 0.0.0.0"). A port that was not asked for
 * (the default, which moves on when busy) or 0 (any free one) asks nothing.
 */
export function onHeldAddress(config: Config, held: HeldAddress): { config: Config; moved: string | undefined } {
  const asked = [
    ...(config.host !== held.host ? [`host ${config.host}`] : []),
    ...(!config.nextFreePort && config.port !== 0 && config.port !== held.port ? [`port ${config.port}`] : []),
  ]
  return {
    config: Object.freeze({ ...config, host: held.host, port: held.port, nextFreePort: false }),
    moved: asked.length ? asked.join(' and ') : undefined,
  }
}
