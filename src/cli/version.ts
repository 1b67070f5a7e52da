import { readFileSync } from 'node:fs';

/** resetbot's version, from package.json (one source of truth). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The package root (where fixtures/ and firmware/ live), from src/ or dist/ alike. */
export const PACKAGE_ROOT = new URL('../../', import.meta.url);
