// The same hello answer as an Express app: served by node:http itself
// (bench/servers/express-http.ts) and by hotcell, through its Node adapter.
import express from 'express'

const app = express()
app.get('/', (_req, res) => {
  res.type('text/plain').send('Hello, world!')
})

export default app
