// `node --import ./test/support/load-trace.mjs ...`: prints every module URL the process loads on stderr, one
// `load <url>` line each (test/cli/lazy.test.ts: what `resetbot --help` and `plan` load).
import { register } from 'node:module';

register('data:text/javascript,' + encodeURIComponent(
  'export async function load(url, context, next) { process._rawDebug("load " + url); return next(url, context); }',
));
