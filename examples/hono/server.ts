// The @hono/node-server entry style: serve() starts a server. Under hotcell it
// binds nothing; hotcell serves the same app on its own port.
import { serve } from '@hono/node-server'
import app from './app.js'

serve({ fetch: app.fetch, port: 3000 }, (info) => {
  console.log(`hono listening on ${info.port}`)
})
