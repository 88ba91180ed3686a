// A table of rows for a pure function. Rows marked `defect` state what the function's own comment
// (or the check that reads it) promises and run as expected failures until fixed;
// XFS_SHOW_DEFECTS=1 runs them as ordinary tests, to see how each one fails.
import { describe, expect, it } from 'vitest';

export interface Row<I, O> {
  name: string;
  input: I;
  want: O;
  defect?: string;
}

const SHOW_DEFECTS = process.env.XFS_SHOW_DEFECTS === '1';

export function table<I, O>(title: string, fn: (i: I) => O, rows: Row<I, O>[]): void {
  describe(title, () => {
    for (const r of rows) {
      if (r.defect && !SHOW_DEFECTS) it.fails(`${r.name} [known defect: ${r.defect}]`, () => expect(fn(r.input)).toEqual(r.want));
      else it(r.name, () => expect(fn(r.input)).toEqual(r.want));
    }
  });
}
