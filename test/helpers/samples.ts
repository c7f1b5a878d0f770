/** Bad code for tests, with keys generated at run time (never stored). */
import { ALNUM, BASE32, fakeKey, join } from '../../src/kit/samples.js';
import { checksummed } from '../../src/atoms/secrets/providers.js';

export const awsKeyId = (seed = 1) => fakeKey(join('AK', 'IA'), 16, BASE32, seed);
export const awsLine = (seed = 1) => `export const accessKeyId = '${awsKeyId(seed)}';\n`;
export const sqlLine = 'export const find = (id) => db.query(`SELECT * FROM users WHERE id = ${id}`);\n';
export const md5Line = "export const hash = (password) => crypto.createHash('md5').update(password).digest('hex');\n";
export const cleanLine = "export const find = (id) => db.query('SELECT * FROM users WHERE id = $1', [id]);\n";
export const stripeKey = (seed = 1) => fakeKey(join('sk', '_live_'), 24, ALNUM, seed);
export const sessionSecret = (seed = 1) => fakeKey('', 32, ALNUM, seed);
export const githubToken = (seed = 1) => checksummed(join('gh', 'p_'), seed);
