// npm-registry-fetch ships no types; http.ts declares the little it uses.
declare module 'npm-registry-fetch';
