// A reload's failure as its ReloadInfo carries it (the 'reload' event, server.reload()):
// the error every request now gets, as plain data, and where in the project it points.
import type { ErrorData } from '../pool/protocol.js'
import { errorLocation } from '../report/serving-state.js'
import { shownPath, type ProjectRoots } from '../report/source-files.js'
import type { ErrorInfo, ReloadError } from './reload-info.js'

/** A failed build's error (build-errors.ts). */
export function buildFailure(error: ErrorData, roots: ProjectRoots): ReloadError {
  return failure('build', error, roots)
}

/** A generation's load error: a throw while importing, no handler exported, or an import that did not finish (hung-import.ts). */
export function loadFailure(error: ErrorData, roots: ProjectRoots): ReloadError {
  const stage = error.name === 'HandlerShapeError' ? 'handler' : error.name === 'ImportTimeoutError' ? 'hang' : 'import'
  return failure(stage, error, roots)
}

function failure(stage: ReloadError['stage'], error: ErrorData, roots: ProjectRoots): ReloadError {
  const where = errorLocation(error, roots)
  return { stage, ...plain(error), ...(where && { location: { file: shownPath(where.file, roots), line: where.line, column: where.column } }) }
}

/** Without the source excerpts the error page renders its code frames from: `location` says where, and the file is on disk. */
function plain({ sources: _, cause, errors, ...error }: ErrorData): ErrorInfo {
  return { ...error, ...(cause && { cause: plain(cause) }), ...(errors && { errors: errors.map(plain) }) }
}
