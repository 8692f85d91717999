// itty-router, exposed as a plain fetch function.
//   npx hotcell examples/itty-router/app.ts
import { AutoRouter } from 'itty-router'

const router = AutoRouter()

router.get('/', () => 'hello from itty-router')
router.get('/hello/:name', ({ params }) => ({ hello: params.name }))
router.get('/items/:id', ({ params, query }) => ({ id: Number(params.id), sort: query.sort ?? null }))

export default (request: Request) => router.fetch(request)
