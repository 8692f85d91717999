// An Express 5 app, exported as is: hotcell runs it as a Node (req, res) handler.
//   npx hotcell examples/express/app.ts       (or server.ts, which calls app.listen)
import cookieParser from 'cookie-parser'
import express from 'express'

const app = express()
app.use(express.json())
app.use(cookieParser())

let closed = 0

app.get('/', (_req, res) => {
  res.send('hello from express')
})

app.post('/api/echo', (req, res) => {
  res.status(201).json({ received: req.body, ip: req.ip })
})

app.get('/api/whoami', (req, res) => {
  res.json({ ip: req.ip, remoteAddress: req.socket.remoteAddress, rawHeaders: req.rawHeaders })
})

// Counts visits in a cookie, and sets a second one: two Set-Cookie headers.
app.get('/api/visit', (req, res) => {
  const visits = Number(req.cookies.visits ?? 0) + 1
  res.cookie('visits', String(visits))
  res.cookie('seen', 'yes', { httpOnly: true })
  res.json({ visits })
})

// Server-Sent Events written with res.write: each event reaches the browser as it is written.
app.get('/events', (req, res) => {
  res.setHeader('content-type', 'text/event-stream')
  res.setHeader('cache-control', 'no-cache')
  res.flushHeaders()
  let n = 0
  const timer = setInterval(() => {
    res.write(`data: tick ${n}\n\n`)
    if (++n === Number(req.query.count ?? 3)) {
      clearInterval(timer)
      res.end()
    }
  }, 200)
  req.on('close', () => {
    clearInterval(timer)
    if (!res.writableFinished) closed++
  })
})

app.get('/api/closed', (_req, res) => {
  res.json({ closed })
})

export default app
