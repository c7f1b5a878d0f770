// Prints the JSON Schema of the policy (run by the build into schema.json).
import * as z from 'zod';
import { BUILTIN_ATOMS } from '../src/atoms/all.js';
import { policySchema } from '../src/policy/schema.js';

const schema = z.toJSONSchema(policySchema(BUILTIN_ATOMS), { io: 'input', unrepresentable: 'any' });
process.stdout.write(JSON.stringify({ ...schema, title: 'ralph-guard policy' }, null, 2) + '\n');
