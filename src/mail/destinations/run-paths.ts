/** Names one download run has used, so that a repeated attachment name gets a suffix instead of overwriting. */
import { withSuffix } from './safe-name.ts';

/**
 * The paths one run has written, as `SavedFile.path` gives them, so that a repeated attachment
 * name never overwrites an earlier file of the same run (also across the invocations of an async
 * run: seed it with the paths already reported).
 */
export class RunPaths {
  readonly #taken = new Set<string>();
  constructor(taken: Iterable<string> = []) {
    for (const p of taken) this.#taken.add(p);
  }

  has(path: string): boolean {
    return this.#taken.has(path);
  }

  /**
   * Claims the first free name among `name`, `name-2`, `name-3`, ... (`pathOf` turns a name into
   * its path). Synchronous, so two saves of one run can never pick the same name.
   */
  claim(name: string, pathOf: (name: string) => string): { name: string; release: () => void } {
    for (let i = 1; ; i++) {
      const candidate = i === 1 ? name : withSuffix(name, String(i));
      const p = pathOf(candidate);
      if (this.#taken.has(p)) continue;
      this.#taken.add(p);
      return { name: candidate, release: () => this.#taken.delete(p) };
    }
  }

  add(path: string): void {
    this.#taken.add(path);
  }
}
