// The endpoint's grade (docs/grades.md): a letter from A+ to F computed from the endpoint's
// findings alone by src/knowledge/grade.ts, with the caps that brought it down.
import type { Static } from 'typebox';
import { Bool, List, Str, nullable, obj, strEnum } from './util.js';
import { FindingStatusSchema, SeveritySchema } from './common.js';

export const GRADES = ['A+', 'A', 'A-', 'B', 'C', 'D', 'E', 'F'] as const;
export const GradeLetterSchema = strEnum(GRADES);
export type GradeLetter = Static<typeof GradeLetterSchema>;

export const GradeCapSchema = obj({
  id: Str('the finding that caps the grade'),
  status: FindingStatusSchema,
  severity: SeveritySchema,
  cap: GradeLetterSchema,
  rule: Str('the rule of docs/grades.md that applied'),
});
export type GradeCap = Static<typeof GradeCapSchema>;

export const GradeSchema = obj(
  {
    grade: nullable(strEnum(GRADES, 'null: nothing was judged (the port is not open, or no check could decide)')),
    rules: Str('the version of the grading rules (docs/grades.md)'),
    caps: List(GradeCapSchema, { description: 'every finding that capped the grade below A+, worst first' }),
    complete: Bool('false when a probe broke (an error finding): a finding may be missing, the grade may be too good'),
  },
  "the endpoint's grade, computed from its findings only",
);
export type Grade = Static<typeof GradeSchema>;
