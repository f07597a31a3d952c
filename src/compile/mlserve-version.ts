/**
 * The installed mlserve's version, read from package.json at run time so a bundle records the version
 * that built it, not one baked in at build time.
 */
import fs from 'node:fs';

let cached: string | undefined;

export function mlserveVersion(): string {
  // This file runs as dist/src/compile/mlserve-version.js; the package root is three levels up.
  cached ??= (JSON.parse(fs.readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
