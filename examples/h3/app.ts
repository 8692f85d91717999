// An h3 v2 app, exposed as a fetch handler object.
//   npx hotcell examples/h3/app.ts
import { H3, getRouterParam, readBody } from 'h3'

const app = new H3()

app.get('/', () => 'hello from h3')

app.get('/hello/:name', (event) => ({ hello: getRouterParam(event, 'name') }))

app.post('/json', async (event) => {
  const body = await readBody<Record<string, unknown>>(event)
  return { received: body }
})

export default { fetch: app.fetch }
