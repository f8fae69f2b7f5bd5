import type { Explanation } from './explainer';
import { topContributions } from './group';
import { cents } from '../score/cents';

export interface ColumnContributionSummary {
  /** The raw input column(s) the contribution belongs to, joined by " + " when a feature reads several. */
  source: string;
  columns: string[];
  /** Model (margin) space: what the model adds for this column. */
  contribution: number;
  /** The same in price terms: basePrice + every priceContribution = price. */
  priceContribution: number;
}

export interface ExplanationSummary {
  space: Explanation['space'];
  /** The model's expected output over its training data, and that as a price: where the waterfall starts. */
  bias: number;
  basePrice: number;
  price: number;
  /** Largest first by absolute contribution (every column with `all`). */
  columns: ColumnContributionSummary[];
  /** What the columns not listed add up to (zero with `all`), so the waterfall still sums to the price. */
  rest: { columns: number; contribution: number; priceContribution: number };
  /** Every model input, with `all` only. */
  features?: { feature: string; value: number | null; contribution: number }[];
}

/**
 * What an API answer or a batch row carries of an explanation: the top `k` raw columns by absolute
 * contribution (all of them when `k` is Infinity) and the rest summed, in model and price terms.
 */
export function summariseExplanation(
  explanation: Explanation,
  k: number,
  withFeatures = false,
): ExplanationSummary {
  const top = topContributions(explanation.columns, k);
  const shown = new Set(top);
  const rest = explanation.columns.filter((c) => !shown.has(c));
  return {
    space: explanation.space,
    bias: explanation.bias,
    basePrice: cents(explanation.basePrice),
    price: cents(explanation.price),
    columns: top.map((c) => ({
      source: c.source,
      columns: c.columns,
      contribution: c.contribution,
      priceContribution: cents(c.priceContribution),
    })),
    rest: {
      columns: rest.length,
      contribution: rest.reduce((a, c) => a + c.contribution, 0),
      priceContribution: cents(rest.reduce((a, c) => a + c.priceContribution, 0)),
    },
    ...(withFeatures && { features: explanation.features }),
  };
}

/** One CSV cell: "column +12345.67; other −2345.10" for the top k columns in price terms. */
export function formatTopContributions(explanation: Explanation, k: number): string {
  return topContributions(explanation.columns, k)
    .map(
      (c) =>
        `${c.source} ${c.priceContribution >= 0 ? '+' : '-'}${Math.abs(cents(c.priceContribution)).toFixed(2)}`,
    )
    .join('; ');
}
