// A request's URL as a native Request would have it. What the URL parser leaves as it is: lower-case host, a port that is not
// the default, no dot segments, nothing it would percent-encode. Most request
// URLs are like this and skip the parser; the rest are normalized by it, as a
// native Request would.
const PLAIN_URL = /^http:\/\/[a-z0-9.-]+(?::[1-9]\d{0,4})?\/[\w\-.~!$&()*+,;=:@/%?]*$/

export function requestUrl(raw: string): string {
  if (PLAIN_URL.test(raw) && !raw.includes('/.') && !raw.slice(7, raw.indexOf('/', 7)).endsWith(':80')) return raw
  return new URL(raw).href
}
