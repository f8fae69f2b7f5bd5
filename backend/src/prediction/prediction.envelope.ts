import { validationProblem, type FieldProblem } from '../common/problem';
import { ModelReferenceError, parseModelReference } from '../model-registry/model-reference';
import { MAX_BULK_RECORDS } from './prediction.dto';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function unexpectedFields(body: Record<string, unknown>, allowed: string): FieldProblem[] {
  return Object.keys(body)
    .filter((key) => key !== allowed && key !== 'model')
    .map((field) => ({ field, message: `property ${field} should not exist` }));
}

/** The optional `model` reference: its syntax is checked here (400), whether it exists by the registry (404). */
function modelReference(body: Record<string, unknown>, problems: FieldProblem[]): string | undefined {
  if (!('model' in body) || body.model === undefined) return undefined;
  try {
    parseModelReference(body.model);
    return body.model as string;
  } catch (error) {
    if (!(error instanceof ModelReferenceError)) throw error;
    problems.push({ field: 'model', message: error.message });
    return undefined;
  }
}

/** A request's records and, when it names one, the model reference to score them with. */
export interface PredictionEnvelope<T> {
  body: T;
  model?: string;
}

/**
 * The prediction bodies are checked by hand rather than by class-validator: these are the hot paths,
 * and the record's own fields are checked against the model signature right after. Same messages.
 */
export function parsePredictionBody(body: unknown): PredictionEnvelope<Record<string, unknown>> {
  if (!isRecord(body))
    throw validationProblem([
      { field: 'record', message: 'record must be an object of field names to values' },
    ]);
  const problems = unexpectedFields(body, 'record');
  if (!isRecord(body.record))
    problems.push({ field: 'record', message: 'record must be an object of field names to values' });
  const model = modelReference(body, problems);
  if (problems.length > 0) throw validationProblem(problems);
  return { body: body.record as Record<string, unknown>, ...(model !== undefined && { model }) };
}

export function parseBulkPredictionBody(body: unknown): PredictionEnvelope<Record<string, unknown>[]> {
  if (!isRecord(body)) throw validationProblem([{ field: 'records', message: 'records must be an array' }]);
  const problems = unexpectedFields(body, 'records');
  const records = body.records;
  if (!Array.isArray(records)) problems.push({ field: 'records', message: 'records must be an array' });
  else if (records.length < 1)
    problems.push({ field: 'records', message: 'records must contain at least 1 elements' });
  else if (records.length > MAX_BULK_RECORDS) {
    problems.push({
      field: 'records',
      message: `records must contain no more than ${MAX_BULK_RECORDS} elements`,
    });
  } else {
    records.forEach((record, i) => {
      if (!isRecord(record))
        problems.push({ field: `records[${i}]`, message: 'each record must be an object' });
    });
  }
  const model = modelReference(body, problems);
  if (problems.length > 0) throw validationProblem(problems);
  return { body: records as Record<string, unknown>[], ...(model !== undefined && { model }) };
}
