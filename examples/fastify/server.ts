// A Fastify 5 app whose entry awaits listen(). hotcell captures the server
// after Fastify's ready(), so every route and schema is in place.
//   npx hotcell examples/fastify/server.ts
import Fastify from 'fastify'

const app = Fastify()

app.get('/', async () => 'hello from fastify')

app.get('/hello/:name', async (request) => {
  const { name } = request.params as { name: string }
  return { hello: name }
})

app.post(
  '/sum',
  {
    schema: {
      body: {
        type: 'object',
        required: ['a', 'b'],
        properties: { a: { type: 'number' }, b: { type: 'number' } },
      },
    },
  },
  async (request) => {
    const { a, b } = request.body as { a: number; b: number }
    return { sum: a + b }
  },
)

const address = await app.listen({ port: 3000 })
console.log(`fastify listening at ${address}`)
