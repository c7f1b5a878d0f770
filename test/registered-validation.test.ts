// Validation registered in another module: a file-based route (`src/api/…/route.ts`) whose body schema is
// set by a `middlewares.ts` of its folder or above, for its path and method. Two-file cases: the route alone
// is reported, the route with its middlewares file is not, and a middlewares file for another path or
// method, or one that registers no validator, changes nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as z from 'zod';
import inputValidation from '../src/atoms/input-validation.js';
import { sourceFile } from '../src/engine/source-file.js';
import { stubContext } from './helpers/examples.js';
import { memoryProject } from './helpers/project.js';

const ROUTE = 'src/api/store/carts/[id]/route.ts';
const ROUTE_CODE =
  "import type { Request, Response } from 'express';\nexport const POST = async (req: Request, res: Response) => {\n  const cart = await updateCart(req.params.id, req.body);\n  res.json({ cart });\n};\n";

async function rules(files: Record<string, string>): Promise<string[]> {
  const options = inputValidation.options!(z, { regexProblem: () => null }).parse({});
  const all = { [ROUTE]: ROUTE_CODE, ...files };
  const hits = await inputValidation.check(
    sourceFile({ path: ROUTE, allAdded: true, added: [] }, ROUTE_CODE),
    stubContext(options, () => {}, memoryProject(all)),
  );
  return hits.map((h) => h.rule);
}

const middlewares = (matcher: string, method: string, middleware: string) =>
  `import { validateAndTransformBody } from '../utils/validate';\nexport const storeMiddlewares = [\n  { method: ['${method}'], matcher: '${matcher}', middlewares: [${middleware}] },\n];\n`;

test('the route alone: req.body is used unvalidated', async () => {
  assert.equal(await rules({}), ['no-validation']);
});

test('a middlewares.ts above the route validates its path and method', async () => {
  const file = middlewares('/store/carts/:id', 'POST', 'validateAndTransformBody(UpdateCart)');
  assert.equal(await rules({ 'src/api/middlewares.ts': file }), []);
  assert.equal(await rules({ 'src/api/store/middlewares.ts': file }), []);
});

test('another path, another method, or no validator: still reported', async () => {
  assert.equal(
    await rules({ 'src/api/middlewares.ts': middlewares('/store/orders/:id', 'POST', 'validateAndTransformBody(X)') }),
    ['no-validation'],
  );
  assert.equal(
    await rules({ 'src/api/middlewares.ts': middlewares('/store/carts/:id', 'DELETE', 'validateAndTransformBody(X)') }),
    ['no-validation'],
  );
  assert.equal(await rules({ 'src/api/middlewares.ts': middlewares('/store/carts/:id', 'POST', 'authenticate()') }), [
    'no-validation',
  ]);
});

test.run();
