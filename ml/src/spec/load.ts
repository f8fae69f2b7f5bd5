import { readFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { InputError } from '../errors';
import { normalizeText } from '../clean/values';
import { datasetSpecSchema, textNormalizationSchema, type DatasetSpec, type TargetColumn } from './schema';
import { compileExpr, ExprError, type ExprColumnKind } from './expr';

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

type Loose = Record<string, unknown>;
const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const asString = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** The kind an expression sees for a column: numbers (numeric, ordinal), dates, or nothing it can read. */
function exprKind(column: Loose): ExprColumnKind | string {
  if (column.role === 'numeric') return 'number';
  if (column.role === 'date') return 'date';
  if (column.role === 'categorical' && column.encoding === 'ordinal') return 'number';
  return `has role "${String(column.role)}"${column.role === 'categorical' ? ` with encoding "${String(column.encoding)}"` : ''}; expressions read numeric, ordinal and date columns`;
}

/**
 * Rules that span several fields, which the schema alone cannot express. Written against the raw
 * (possibly schema-invalid) spec, so one run reports schema and cross-field problems together.
 */
function crossFieldProblems(raw: unknown): string[] {
  if (!isObject(raw)) return [];
  const problems: string[] = [];
  const columns = (Array.isArray(raw.columns) ? raw.columns : []).map((c) => (isObject(c) ? c : {}));
  const byName = new Map<string, Loose>();
  const at = (i: number, column: Loose) =>
    `columns[${i}]${typeof column.name === 'string' ? ` (${column.name})` : ''}`;
  columns.forEach((column, i) => {
    const name = asString(column.name);
    if (name === undefined) return;
    if (byName.has(name)) problems.push(`${at(i, column)}.name: column listed twice`);
    byName.set(name, column);
    if (typeof column.min === 'number' && typeof column.max === 'number' && column.min > column.max) {
      problems.push(`${at(i, column)}.min: ${column.min} is greater than max ${column.max}`);
    }
  });
  columns.forEach((column, i) => {
    if (column.role !== 'categorical') return;
    const parsedRule = isObject(column.normalize)
      ? textNormalizationSchema.safeParse(column.normalize)
      : undefined;
    const rule = parsedRule?.success ? parsedRule.data : undefined;
    if (rule) {
      // Normalisation must be idempotent: training stores normalised values and serving normalises raw
      // ones, so a value normalised twice must not change again.
      const plain = { ...rule, renames: {} };
      const where = `${at(i, column)}.normalize.renames`;
      for (const [from, to] of Object.entries(rule.renames)) {
        if (normalizeText(from, plain) !== from)
          problems.push(
            `${where}["${from}"]: key is not in normalised form ("${normalizeText(from, plain)}"), so it never matches`,
          );
        if (normalizeText(to, plain) !== to)
          problems.push(
            `${where}["${from}"]: "${to}" is not in normalised form ("${normalizeText(to, plain)}")`,
          );
        if (to in rule.renames && rule.renames[to] !== to) {
          problems.push(`${where}["${from}"]: "${to}" is itself renamed; map straight to the final name`);
        }
      }
    }
    const levels = Array.isArray(column.levels)
      ? column.levels.filter((l): l is string => typeof l === 'string')
      : undefined;
    if (column.encoding === 'ordinal' && !column.levels)
      problems.push(`${at(i, column)}.levels: an ordinal column lists its levels, lowest first`);
    if (column.encoding !== 'ordinal' && column.levels !== undefined) {
      problems.push(
        `${at(i, column)}.levels: only an ordinal column has levels (encoding is "${String(column.encoding)}")`,
      );
    }
    if (levels) {
      const seen = new Set<string>();
      levels.forEach((level, k) => {
        if (seen.has(level)) problems.push(`${at(i, column)}.levels[${k}]: "${level}" is listed twice`);
        seen.add(level);
        const normal = normalizeText(level, rule);
        if (normal !== level)
          problems.push(
            `${at(i, column)}.levels[${k}]: "${level}" is not in normalised form ("${normal}"), so it never matches`,
          );
      });
    }
  });
  columns.forEach((column, i) => {
    if (column.role !== 'derived' || typeof column.expr !== 'string') return;
    const seenProblems: string[] = [];
    try {
      compileExpr(column.expr, (name) => {
        const target = byName.get(name);
        if (!target) return undefined;
        const kind = exprKind(target);
        if (kind === 'number' || kind === 'date') return kind;
        seenProblems.push(`column "${name}" ${kind}`);
        return 'number';
      });
    } catch (error) {
      if (!(error instanceof ExprError)) throw error;
      problems.push(
        `${at(i, column)}.expr: ${error.reason} at position ${error.position} of "${column.expr}"`,
      );
      return;
    }
    for (const problem of seenProblems) problems.push(`${at(i, column)}.expr: ${problem} ("${column.expr}")`);
  });
  const targets = columns.filter((c) => c.role === 'target');
  if (targets.length !== 1)
    problems.push(`columns: needs exactly one column with role "target", found ${targets.length}`);
  const isFeature = (c: Loose) =>
    c.role === 'derived' ||
    (['numeric', 'categorical', 'date'].includes(String(c.role)) && c.feature !== false);
  if (!columns.some(isFeature)) {
    problems.push('columns: needs at least one feature column (numeric, categorical, date or derived)');
  }
  const cleaning = isObject(raw.cleaning) ? raw.cleaning : {};
  (Array.isArray(cleaning.dedupeKeys) ? cleaning.dedupeKeys : []).forEach((key, i) => {
    if (typeof key === 'string' && !byName.has(key))
      problems.push(`cleaning.dedupeKeys[${i}]: no column named "${key}"`);
  });
  const split = isObject(raw.split) ? raw.split : {};
  if (split.kind === 'time') {
    const name = asString(split.column);
    const column = name === undefined ? undefined : byName.get(name);
    if (name !== undefined && !column) problems.push(`split.column: no column named "${name}"`);
    else if (column && column.role !== 'date')
      problems.push(`split.column: "${name}" has role "${String(column.role)}", needs "date"`);
    const day = (v: unknown) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
    if (
      day(split.evalFrom) &&
      day(split.holdoutFrom) &&
      (split.evalFrom as string) >= (split.holdoutFrom as string)
    ) {
      problems.push(
        `split.evalFrom: ${split.evalFrom} must be before split.holdoutFrom ${split.holdoutFrom}`,
      );
    }
  } else if (
    split.kind === 'random' &&
    typeof split.evalFraction === 'number' &&
    typeof split.holdoutFraction === 'number'
  ) {
    if (split.evalFraction + split.holdoutFraction >= 1) {
      problems.push(
        'split.evalFraction: evalFraction + holdoutFraction must leave rows for training (sum < 1)',
      );
    }
  }
  const region = isObject(raw.evaluation) ? asString(raw.evaluation.regionColumn) : undefined;
  if (region !== undefined) {
    const column = byName.get(region);
    if (!column) problems.push(`evaluation.regionColumn: no column named "${region}"`);
    else if (column.role !== 'categorical' && column.role !== 'identifier') {
      problems.push(
        `evaluation.regionColumn: "${region}" has role "${String(column.role)}", needs "categorical" or "identifier"`,
      );
    }
  }
  return problems;
}

/** Validates a parsed spec; throws an InputError listing every schema and cross-field problem by field path. */
export function validateSpec(raw: unknown, source = 'spec'): DatasetSpec {
  const parsed = datasetSpecSchema.safeParse(raw);
  const problems = [
    ...(parsed.success ? [] : formatIssues(raw, parsed.error.issues)),
    ...crossFieldProblems(parsed.success ? parsed.data : raw),
  ];
  if (problems.length > 0) {
    throw new InputError(`${source} is not a valid dataset spec:\n  - ${problems.join('\n  - ')}`, {
      problems,
    });
  }
  return parsed.data as DatasetSpec;
}

/** Loads a spec by built-in name (e.g. "housets") or by path to a JSON file. */
export function loadSpec(nameOrPath: string): DatasetSpec {
  const builtin = path.join(BUILTIN_SPECS_DIR, `${nameOrPath}.json`);
  const file = existsSync(nameOrPath) ? nameOrPath : existsSync(builtin) ? builtin : undefined;
  if (!file)
    throw new InputError(`spec "${nameOrPath}" is neither a file nor a built-in spec (${BUILTIN_SPECS_DIR})`);
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
