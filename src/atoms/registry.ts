/** The built-in atoms, in the order reports and `ralph-guard atoms` list them. One line per atom. */
import type { AnyAtom } from './atom.js';
import secrets from './secrets.js';
import sqlInjection from './sql-injection.js';
import passwordHashing from './password-hashing.js';
import commandInjection from './command-injection.js';
import codeInjection from './code-injection.js';
import pathTraversal from './path-traversal.js';
import ssrf from './ssrf.js';
import openRedirect from './open-redirect.js';
import nosqlInjection from './nosql-injection.js';
import xss from './xss.js';
import prototypePollution from './prototype-pollution.js';
import unsafeDeserialization from './unsafe-deserialization.js';
import redos from './redos.js';
import dependencies from './dependencies.js';
import jwt from './jwt.js';
import weakCrypto from './weak-crypto.js';
import insecureRandom from './insecure-random.js';
import tls from './tls.js';
import errorExposure from './error-exposure.js';
import sensitiveLogging from './sensitive-logging.js';
import securityHeaders from './security-headers.js';
import cors from './cors.js';
import cookies from './cookies.js';
import csrf from './csrf.js';
import inputValidation from './input-validation.js';
import rateLimiting from './rate-limiting.js';
import fileUpload from './file-upload.js';
import insecureConfig from './insecure-config.js';

export const BUILTIN_ATOMS: readonly AnyAtom[] = [
  secrets,
  dependencies,
  sqlInjection,
  nosqlInjection,
  commandInjection,
  codeInjection,
  pathTraversal,
  xss,
  ssrf,
  openRedirect,
  prototypePollution,
  unsafeDeserialization,
  redos,
  passwordHashing,
  jwt,
  weakCrypto,
  insecureRandom,
  tls,
  errorExposure,
  sensitiveLogging,
  securityHeaders,
  cors,
  cookies,
  csrf,
  inputValidation,
  rateLimiting,
  fileUpload,
  insecureConfig,
];

export function builtinAtom(id: string): AnyAtom | undefined {
  return BUILTIN_ATOMS.find((a) => a.id === id);
}
