import { Hono } from 'hono'
import { format } from './format'
import { version } from './version'

export const routes = new Hono()
routes.get('/', (c) => c.text(`v${version}`))
routes.get('/users/:id', (c) => c.json({ id: c.req.param('id'), name: format(c.req.param('id')) }))
