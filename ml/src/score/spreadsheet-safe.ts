import { csvField } from '../csv/reader';

/** A plain decimal number, signed or not ("-5", "+3.2", "-1e5"): a spreadsheet reads it as a number, never as a formula. */
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A CSV field for a file people open in spreadsheets (batch results and errors), neutralised against
 * formula injection as OWASP recommends (https://owasp.org/www-community/attacks/CSV_Injection): a
 * value starting with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading single quote and is
 * quoted, so Excel, LibreOffice and Google Sheets show it as text instead of evaluating it. The trade-off
 * OWASP notes (the quote changes the data) is avoided for plain numbers: `-5` and `+3.2` are kept as
 * written, since a spreadsheet reads them as numbers.
 */
export function spreadsheetSafeField(value: string | number | null | undefined): string {
  if (typeof value !== 'string' || value.length === 0) return csvField(value);
  const first = value.charCodeAt(0);
  const risky =
    first === 61 /* = */ ||
    first === 43 /* + */ ||
    first === 45 /* - */ ||
    first === 64 /* @ */ ||
    first === 9 /* tab */ ||
    first === 13; /* CR */
  if (!risky || ((first === 43 || first === 45) && PLAIN_NUMBER.test(value))) return csvField(value);
  return `"'${value.replace(/"/g, '""')}"`;
}

/**
 * Whether spreadsheetSafeLine(text.split(',')) is `text` itself, for the raw text of an unquoted CSV row
 * whose commas are at `commas[0 .. count - 1]`: no quote or carriage return to quote, and no field that
 * spreadsheetSafeField neutralises. Then a result line can start with the input's text as it is.
 */
export function isSpreadsheetSafeRow(text: string, commas: Int32Array, count: number): boolean {
  if (text.indexOf('"') !== -1 || text.indexOf('\r') !== -1) return false;
  for (let k = 0; k <= count; k++) {
    const start = k === 0 ? 0 : commas[k - 1]! + 1;
    const first = text.charCodeAt(start);
    // The first characters spreadsheetSafeField neutralises: = @ tab (CR is excluded above), and + or - unless a plain number.
    if (first === 61 || first === 64 || first === 9) return false;
    if (
      (first === 43 || first === 45) &&
      !PLAIN_NUMBER.test(text.slice(start, k === count ? text.length : commas[k]!))
    )
      return false;
  }
  return true;
}

/** A CSV line of spreadsheet-safe fields. */
export function spreadsheetSafeLine(values: readonly (string | number | null | undefined)[]): string {
  let out = '';
  for (let i = 0; i < values.length; i++) out += (i > 0 ? ',' : '') + spreadsheetSafeField(values[i]);
  return out;
}
