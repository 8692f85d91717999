// Entry for the tools that need the app to start its own server.
import { serve } from '@hono/node-server'
import app from './app'

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' })
