// The same hello answer as a Hono app: served by @hono/node-server and by hotcell.
import { Hono } from 'hono'

const app = new Hono()
app.get('/', (c) => c.text('Hello, world!'))

export default app
