// The HTML error page, by Youch, loaded on the first one a browser asks for
// (the start does not wait for it). Undefined if it cannot be loaded (its
// files replaced under a running server, by a reinstall): the text page then.
import type { ErrorView, RenderOptions } from './error-page.js'

export async function browserPage(view: ErrorView, options: RenderOptions): Promise<string | undefined> {
  try {
    return await (await import('./youch-page.js')).renderBrowserPage(view, options)
  } catch {
    return undefined
  }
}
