/** A price rounded to cents: how every answer, result file and explanation writes money. */
export const cents = (price: number): number => Math.round(price * 100) / 100;
