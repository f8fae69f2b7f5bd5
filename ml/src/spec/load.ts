import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { InputError } from '../errors';
import { normalizeText } from '../clean/values';
import { datasetSpecSchema, type DatasetSpec, type TargetColumn, type ColumnSpec } from './schema';

/** Directory of the built-in specs (ml/specs), the same from src/ under jest and from dist/. */
export const BUILTIN_SPECS_DIR = path.resolve(__dirname, '..', '..', 'specs');

function describePath(raw: unknown, issuePath: readonly PropertyKey[]): string {
  let text = '';
  let node: unknown = raw;
  for (const key of issuePath) {
    if (typeof key === 'number') {
      text += `[${key}]`;
      node = Array.isArray(node) ? node[key] : undefined;
      const name = (node as { name?: unknown } | undefined)?.name;
      if (typeof name === 'string') text += ` (${name})`;
    } else {
      text += text ? `.${String(key)}` : String(key);
      node = node && typeof node === 'object' ? (node as Record<string, unknown>)[String(key)] : undefined;
    }
  }
  return text || '(root)';
}

function formatIssues(raw: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => `${describePath(raw, issue.path)}: ${issue.message}`);
}

/** Rules that span several fields, which the schema alone cannot express. */
function crossFieldProblems(spec: DatasetSpec): string[] {
  const problems: string[] = [];
  const byName = new Map<string, ColumnSpec>();
  spec.columns.forEach((column, i) => {
    if (byName.has(column.name)) problems.push(`columns[${i}] (${column.name}).name: column listed twice`);
    byName.set(column.name, column);
    if ('min' in column && column.min !== undefined && column.max !== undefined && column.min > column.max) {
      problems.push(`columns[${i}] (${column.name}).min: ${column.min} is greater than max ${column.max}`);
    }
  });
  spec.columns.forEach((column, i) => {
    if (column.role !== 'categorical' || !column.normalize) return;
    // Normalisation must be idempotent: training stores normalised values and serving normalises raw
    // ones, so a value normalised twice must not change again.
    const rule = { ...column.normalize, renames: {} };
    const at = `columns[${i}] (${column.name}).normalize.renames`;
    for (const [from, to] of Object.entries(column.normalize.renames)) {
      if (normalizeText(from, rule) !== from) problems.push(`${at}["${from}"]: key is not in normalised form ("${normalizeText(from, rule)}"), so it never matches`);
      if (normalizeText(to, rule) !== to) problems.push(`${at}["${from}"]: "${to}" is not in normalised form ("${normalizeText(to, rule)}")`);
      if (to in column.normalize.renames && column.normalize.renames[to] !== to) {
        problems.push(`${at}["${from}"]: "${to}" is itself renamed; map straight to the final name`);
      }
    }
  });
  const targets = spec.columns.filter((c) => c.role === 'target');
  if (targets.length !== 1) problems.push(`columns: needs exactly one column with role "target", found ${targets.length}`);
  if (!spec.columns.some((c) => ['numeric', 'categorical', 'date'].includes(c.role))) {
    problems.push('columns: needs at least one feature column (numeric, categorical or date)');
  }
  spec.cleaning.dedupeKeys.forEach((key, i) => {
    if (!byName.has(key)) problems.push(`cleaning.dedupeKeys[${i}]: no column named "${key}"`);
  });
  if (spec.split.kind === 'time') {
    const column = byName.get(spec.split.column);
    if (!column) problems.push(`split.column: no column named "${spec.split.column}"`);
    else if (column.role !== 'date') problems.push(`split.column: "${spec.split.column}" has role "${column.role}", needs "date"`);
    if (spec.split.evalFrom >= spec.split.holdoutFrom) {
      problems.push(`split.evalFrom: ${spec.split.evalFrom} must be before split.holdoutFrom ${spec.split.holdoutFrom}`);
    }
  } else if (spec.split.evalFraction + spec.split.holdoutFraction >= 1) {
    problems.push('split.evalFraction: evalFraction + holdoutFraction must leave rows for training (sum < 1)');
  }
  const region = spec.evaluation.regionColumn;
  if (region !== undefined) {
    const column = byName.get(region);
    if (!column) problems.push(`evaluation.regionColumn: no column named "${region}"`);
    else if (column.role !== 'categorical' && column.role !== 'identifier') {
      problems.push(`evaluation.regionColumn: "${region}" has role "${column.role}", needs "categorical" or "identifier"`);
    }
  }
  return problems;
}

/** Validates a parsed spec; throws an InputError listing every problem by field path. */
export function validateSpec(raw: unknown, source = 'spec'): DatasetSpec {
  const parsed = datasetSpecSchema.safeParse(raw);
  const problems = parsed.success ? crossFieldProblems(parsed.data) : formatIssues(raw, parsed.error.issues);
  if (problems.length > 0) {
    throw new InputError(`${source} is not a valid dataset spec:\n  - ${problems.join('\n  - ')}`, { problems });
  }
  return parsed.data as DatasetSpec;
}

/** Loads a spec by built-in name (e.g. "housets") or by path to a JSON file. */
export function loadSpec(nameOrPath: string): DatasetSpec {
  const builtin = path.join(BUILTIN_SPECS_DIR, `${nameOrPath}.json`);
  const file = existsSync(nameOrPath) ? nameOrPath : existsSync(builtin) ? builtin : undefined;
  if (!file) throw new InputError(`spec "${nameOrPath}" is neither a file nor a built-in spec (${BUILTIN_SPECS_DIR})`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  return validateSpec(raw, path.basename(file));
}

export function targetColumn(spec: DatasetSpec): TargetColumn {
  return spec.columns.find((c): c is TargetColumn => c.role === 'target')!;
}
