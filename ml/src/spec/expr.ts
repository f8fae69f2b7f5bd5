import { datePart } from '../clean/values';
import type { DatePart } from './schema';

/**
 * The expression language of derived features, parsed once when a spec or manifest is loaded into a
 * tree of closures, so the per-record cost is a few function calls.
 *
 *   expr       := comparison
 *   comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?      → 1 or 0
 *   sum        := product (("+" | "-" | "−") product)*
 *   product    := unary (("*" | "×" | "/" | "÷") unary)*
 *   unary      := "-" unary | primary
 *   primary    := number | column | `quoted column` | function "(" args ")" | "(" expr ")"
 *
 * Functions: log (natural), log1p, sqrt, abs, min, max, coalesce (first non-missing argument), and the
 * date parts year, quarter, month, day_of_year, months_since_2000, days (days since 1970-01-01), whose
 * one argument is a date column. A missing input makes the result missing; so do a division by zero,
 * the log of a non-positive number, the square root of a negative one and a comparison with a missing side.
 */

export class ExprError extends Error {
  /** 1-based character position in the expression. */
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`);
  }
}

/** What a column name refers to: a number (numeric or ordinal column) or a date (days since 1970-01-01). */
export type ExprColumnKind = 'number' | 'date';

export interface CompiledExpr {
  /** Column names read, in slot order: `evaluate(values)` takes values[i] for inputs[i]. */
  inputs: string[];
  evaluate(values: Float64Array): number;
}

const DATE_FUNCTIONS: Record<string, DatePart> = {
  year: 'year',
  quarter: 'quarter',
  month: 'month',
  day_of_year: 'day_of_year',
  months_since_2000: 'months_since_2000',
  days: 'days',
};

type Fn = (values: Float64Array) => number;

const UNARY: Record<string, (x: number) => number> = {
  log: (x) => (x > 0 ? Math.log(x) : NaN),
  log1p: (x) => (x > -1 ? Math.log1p(x) : NaN),
  sqrt: (x) => (x >= 0 ? Math.sqrt(x) : NaN),
  abs: Math.abs,
};
const VARIADIC = new Set(['min', 'max', 'coalesce']);

export const EXPR_FUNCTIONS = [...Object.keys(UNARY), ...VARIADIC, ...Object.keys(DATE_FUNCTIONS)];

interface Token {
  kind: 'number' | 'name' | 'quoted' | 'op' | 'end';
  text: string;
  value?: number;
  position: number;
}

const OPERATORS = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '(', ')', ',', '×', '÷', '−'];
const NUMBER = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const space = /^\s+/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const position = i + 1;
    let match: RegExpExecArray | null;
    if ((match = NUMBER.exec(rest))) {
      tokens.push({ kind: 'number', text: match[0], value: Number(match[0]), position });
      i += match[0].length;
    } else if ((match = NAME.exec(rest))) {
      tokens.push({ kind: 'name', text: match[0], position });
      i += match[0].length;
    } else if (rest[0] === '`') {
      const end = rest.indexOf('`', 1);
      if (end < 0) throw new ExprError('unclosed ` quote', position);
      if (end === 1) throw new ExprError('empty column name', position);
      tokens.push({ kind: 'quoted', text: rest.slice(1, end), position });
      i += end + 1;
    } else {
      const op = OPERATORS.find((o) => rest.startsWith(o));
      if (!op) {
        const hint = rest[0] === '=' ? ' (write == to compare)' : '';
        throw new ExprError(`unexpected character "${rest[0]}"${hint}`, position);
      }
      tokens.push({
        kind: 'op',
        text: op === '×' ? '*' : op === '÷' ? '/' : op === '−' ? '-' : op,
        position,
      });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: 'end of expression', position: text.length + 1 });
  return tokens;
}

/** A parsed sub-expression: a number, or a date (only as a date function's argument). */
interface Node {
  kind: ExprColumnKind;
  fn: Fn;
  position: number;
  /** A plain constant, folded at compile time. */
  constant?: number;
}

/**
 * Parses and type-checks `text` against the columns `resolve` knows; throws an ExprError naming the
 * position of the first problem.
 */
export function compileExpr(
  text: string,
  resolve: (column: string) => ExprColumnKind | undefined,
): CompiledExpr {
  const tokens = tokenize(text);
  const inputs: string[] = [];
  let at = 0;
  const peek = () => tokens[at]!;
  const next = () => tokens[at++]!;
  const expect = (op: string) => {
    const token = next();
    if (token.kind !== 'op' || token.text !== op)
      throw new ExprError(`expected "${op}", found ${describe(token)}`, token.position);
  };
  const describe = (t: Token) => (t.kind === 'end' ? 'the end of the expression' : `"${t.text}"`);
  const numeric = (node: Node): Node => {
    if (node.kind === 'date') {
      throw new ExprError(
        `a date column is used through ${Object.keys(DATE_FUNCTIONS).join('(), ')}(), not as a number`,
        node.position,
      );
    }
    return node;
  };
  const slot = (name: string) => {
    let index = inputs.indexOf(name);
    if (index < 0) index = inputs.push(name) - 1;
    return index;
  };

  const comparison = (): Node => {
    const left = sum();
    const token = peek();
    if (token.kind === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(token.text)) {
      next();
      const a = numeric(left).fn;
      const b = numeric(sum()).fn;
      const compare = COMPARE[token.text]!;
      return {
        kind: 'number',
        position: left.position,
        fn: (v) => {
          const x = a(v);
          const y = b(v);
          return Number.isNaN(x) || Number.isNaN(y) ? NaN : compare(x, y) ? 1 : 0;
        },
      };
    }
    return left;
  };
  const sum = (): Node => {
    let left = product();
    for (
      let token = peek();
      token.kind === 'op' && (token.text === '+' || token.text === '-');
      token = peek()
    ) {
      next();
      const a = numeric(left).fn;
      const b = numeric(product()).fn;
      left = {
        kind: 'number',
        position: left.position,
        fn: token.text === '+' ? (v) => a(v) + b(v) : (v) => a(v) - b(v),
      };
    }
    return left;
  };
  const product = (): Node => {
    let left = unary();
    for (
      let token = peek();
      token.kind === 'op' && (token.text === '*' || token.text === '/');
      token = peek()
    ) {
      next();
      const a = numeric(left).fn;
      const b = numeric(unary()).fn;
      left = {
        kind: 'number',
        position: left.position,
        fn:
          token.text === '*'
            ? (v) => a(v) * b(v)
            : (v) => {
                const d = b(v);
                return d === 0 ? NaN : a(v) / d;
              },
      };
    }
    return left;
  };
  const unary = (): Node => {
    const token = peek();
    if (token.kind === 'op' && token.text === '-') {
      next();
      const inner = numeric(unary());
      if (inner.constant !== undefined)
        return {
          kind: 'number',
          position: token.position,
          constant: -inner.constant,
          fn: () => -inner.constant!,
        };
      const f = inner.fn;
      return { kind: 'number', position: token.position, fn: (v) => -f(v) };
    }
    return primary();
  };
  const column = (name: string, position: number): Node => {
    const kind = resolve(name);
    if (!kind) throw new ExprError(`unknown column "${name}"`, position);
    const index = slot(name);
    return { kind, position, fn: (v) => v[index]! };
  };
  const call = (name: string, position: number): Node => {
    expect('(');
    const args: Node[] = [];
    if (!(peek().kind === 'op' && peek().text === ')')) {
      for (;;) {
        args.push(comparison());
        if (peek().kind === 'op' && peek().text === ',') next();
        else break;
      }
    }
    expect(')');
    const datePartName = DATE_FUNCTIONS[name];
    if (datePartName) {
      if (args.length !== 1 || args[0]!.kind !== 'date') {
        throw new ExprError(`${name}() takes one date column`, args[0]?.position ?? position);
      }
      const d = args[0]!.fn;
      return {
        kind: 'number',
        position,
        fn: (v) => {
          const days = d(v);
          return Number.isNaN(days) ? NaN : datePart(days, datePartName);
        },
      };
    }
    const unaryFn = UNARY[name];
    if (unaryFn) {
      if (args.length !== 1)
        throw new ExprError(`${name}() takes one argument, got ${args.length}`, position);
      const a = numeric(args[0]!).fn;
      return { kind: 'number', position, fn: (v) => unaryFn(a(v)) };
    }
    if (VARIADIC.has(name)) {
      if (args.length < 2)
        throw new ExprError(`${name}() takes at least two arguments, got ${args.length}`, position);
      const fns = args.map((a) => numeric(a).fn);
      if (name === 'coalesce') {
        return {
          kind: 'number',
          position,
          fn: (v) => {
            for (const f of fns) {
              const x = f(v);
              if (!Number.isNaN(x)) return x;
            }
            return NaN;
          },
        };
      }
      const pick = name === 'min' ? Math.min : Math.max;
      // Math.min and Math.max already give NaN when any argument is NaN.
      return { kind: 'number', position, fn: (v) => pick(...fns.map((f) => f(v))) };
    }
    throw new ExprError(`unknown function "${name}" (known: ${EXPR_FUNCTIONS.join(', ')})`, position);
  };
  const primary = (): Node => {
    const token = next();
    if (token.kind === 'number') {
      const value = token.value!;
      return { kind: 'number', position: token.position, constant: value, fn: () => value };
    }
    if (token.kind === 'quoted') return column(token.text, token.position);
    if (token.kind === 'name') {
      if (peek().kind === 'op' && peek().text === '(') return call(token.text, token.position);
      return column(token.text, token.position);
    }
    if (token.kind === 'op' && token.text === '(') {
      const inner = comparison();
      expect(')');
      return inner;
    }
    throw new ExprError(`expected a number, a column or "(", found ${describe(token)}`, token.position);
  };

  const root = comparison();
  if (peek().kind !== 'end') throw new ExprError(`unexpected ${describe(peek())}`, peek().position);
  const fn = numeric(root).fn;
  return {
    inputs,
    evaluate: (values) => {
      const value = fn(values);
      // Overflow (1e308 * 10) and the like are not prices' inputs: missing, never Infinity.
      return Number.isFinite(value) ? value : NaN;
    },
  };
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};
