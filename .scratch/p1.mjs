const t0=performance.now();
const {parseSync, rawTransferSupported} = await import('oxc-parser');
const t1=performance.now();
const src = 'const é = "ü"; const x = req.body.name; db.query(`SELECT ${x}`)';
const r = parseSync('a.ts', src);
const t2=performance.now();
console.log('import', t1-t0, 'parse', t2-t1, rawTransferSupported());
const call = r.program.body[2].expression;
console.log(call.start, src.indexOf('db.query'), r.errors);
import fs from 'node:fs';
const big = fs.readFileSync('node_modules/typescript/lib/typescript.js','utf8');
for (const opt of [{}, {experimentalRawTransfer:true}]) {
let t=performance.now(); const rr=parseSync('t.js', big, opt); const p = rr.program; console.log(JSON.stringify(opt), big.length, performance.now()-t);
}
