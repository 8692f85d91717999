const { IncomingMessage, ServerResponse } = process.getBuiltinModule('node:http')
// Private fields of Node's http classes that a real server sets from inside
// http, and that hotcell's in-memory exchange (node-exchange.ts) must set too:
// - kHeadersCount: how many rawHeaders entries the parser filled, which Node's
//   lazy req.headers getter reads (without it, req.headers is {});
// - kNeedDrain: ServerResponse's "a write returned false", cleared when the
//   socket drains (socketOnDrain);
// - kOutHeaders: res's own header map ({ lowercased: [name, value] }), which
//   _storeHeader may receive.
// Found by name on a scratch pair. If a Node version renames one, it is
// undefined and each user falls back: req.headers built eagerly by Node's own
// rules, 'drain' emitted without clearing the flag, framing headers left in
// object-shaped headers (sent-head.ts).

const privateSymbol = (object: object, name: string) => Object.getOwnPropertySymbols(object).find((symbol) => symbol.description === name)
const request = new IncomingMessage(null as never)
const response = new ServerResponse(request)

export const kHeadersCount = privateSymbol(request, 'kHeadersCount')
export const kNeedDrain = privateSymbol(response, 'kNeedDrain')
export const kOutHeaders = privateSymbol(response, 'kOutHeaders')
