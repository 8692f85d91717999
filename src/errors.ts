/**
 * A mistake the user can fix (a bad option, a missing entry, a busy port).
 * The CLI prints its message as one line, without a stack trace.
 */
export class HotcellError extends Error {
  override name = 'HotcellError'
  constructor(
    readonly code:
      | 'ERR_INVALID_OPTION' // an option has a bad value or is unknown
      | 'ERR_ENTRY_NOT_FOUND' // the entry file does not exist
      | 'ERR_LISTEN', // the port is busy, forbidden, or the address is not local
    message: string,
  ) {
    super(message)
  }
}
