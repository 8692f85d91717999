// The terminal's report of a generation whose entry failed to import (or
// exported no handler): the same title and text as the page the client gets.
import type { Generation } from '../pool/generation.js'
import { sameLoadError } from './import-retry.js'
import { renderText } from '../report/error-page.js'
import { loadFailureTitle } from '../report/fault-views.js'
import type { Logger } from '../report/logger.js'
import type { ProjectRoots } from '../report/source-files.js'

/**
 * Report `failed`'s load error, unless `replaced` (the generation it takes
 * over from) failed the same way: one save seen as two writes, or a save
 * elsewhere, says it once.
 */
export function reportLoadError(logger: Logger, entryLabel: string, roots: ProjectRoots, failed: Generation, replaced: Generation | undefined): void {
  const error = failed.loadError!
  if (sameLoadError(error, replaced?.loadError)) return
  // The title the page gives the same failure; the last line names the entry, not a request.
  const title = loadFailureTitle(failed.loadPhase, error)
  const view = { status: 500, title, error, request: { method: 'while importing', url: entryLabel } }
  logger.error(renderText(view, { roots, details: true }))
}
