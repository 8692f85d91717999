// The usual Express entry: it starts its own server. Under hotcell, listen()
// binds nothing; hotcell serves the app on its own port and reloads it.
import app from './app.js'

const port = Number(process.env.PORT ?? 3000)
app.listen(port, () => {
  console.log(`express listening on ${port}`)
})
