import { validationProblem } from '../common/problem';
import type { ExplainMode } from './prediction.service';

/** `?explain=`: absent or false for none, true for the top contributions, all for every one; anything else is a 400. */
export function parseExplainMode(value: unknown): ExplainMode {
  if (value === undefined || value === 'false') return 'none';
  if (value === 'true') return 'top';
  if (value === 'all') return 'all';
  throw validationProblem([
    {
      field: 'query.explain',
      message: `must be true, false or all, got ${JSON.stringify(Array.isArray(value) ? value : String(value)).slice(0, 80)}`,
    },
  ]);
}
