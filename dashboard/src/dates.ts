// One date format everywhere the user types a date: YYYY-MM-DD (ISO 8601), in a text input with that
// placeholder, so what the browser shows is what the error names (a native date picker shows the
// locale's mm/dd/yyyy and turned "30/06/2022" into year 62022).

export const DATE_PLACEHOLDER = 'YYYY-MM-DD';
export const DATE_PATTERN = '\\d{4}-\\d{2}-\\d{2}';
export const DATE_HINT = 'Written YYYY-MM-DD, e.g. 2022-06-30.';

const ISO = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_FIRST = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;

/** The date as `YYYY-MM-DD` when the text is a real calendar date written that way, else null. */
export function parseIsoDate(text: string): string | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? m[0] : null;
}

/** Why a typed date is refused, in words that name the accepted format (and the likely slip). */
export function dateError(text: string): string | null {
  const t = text.trim();
  if (parseIsoDate(t)) return null;
  const dayFirst = DAY_FIRST.exec(t);
  if (dayFirst) {
    const [, a, b, y] = dayFirst;
    return `Write the date as YYYY-MM-DD: “${t}” would be ${y}-${b!.padStart(2, '0')}-${a!.padStart(2, '0')} if it is day/month/year.`;
  }
  if (ISO.test(t)) return `“${t}” is not a real date (YYYY-MM-DD).`;
  return 'Enter a date written YYYY-MM-DD, e.g. 2022-06-30.';
}
