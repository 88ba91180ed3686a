// Imported first by all-cases.ts: the cases files that follow only register their rows.
import { collectCasesOnly } from './harness.js';

collectCasesOnly();
