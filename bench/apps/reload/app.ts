// The app every tool reloads in bench/reload.ts: a few modules and one package.
import { Hono } from 'hono'
import { routes } from './routes'

const app = new Hono()
app.route('/', routes)
export default app
