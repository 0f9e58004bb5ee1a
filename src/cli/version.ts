/** The package version for `msgraph-mail --version` (CONTRACT.md §1). */
import { readFileSync } from 'node:fs';

/** From the package.json above this file: two levels up in src/cli, three in dist/src/cli. */
export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'msgraph-mail' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // not at this level
    }
  }
  return 'unknown';
}
