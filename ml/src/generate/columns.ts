/** The 39 columns of the Kaggle HouseTS file, in file order. */
export const HOUSETS_COLUMNS: readonly string[] = Object.freeze([
  'date',
  'median_sale_price',
  'median_list_price',
  'median_ppsf',
  'median_list_ppsf',
  'homes_sold',
  'pending_sales',
  'new_listings',
  'inventory',
  'median_dom',
  'avg_sale_to_list',
  'sold_above_list',
  'off_market_in_two_weeks',
  'city',
  'zipcode',
  'year',
  'bank',
  'bus',
  'hospital',
  'mall',
  'park',
  'restaurant',
  'school',
  'station',
  'supermarket',
  'Total Population',
  'Median Age',
  'Per Capita Income',
  'Total Families Below Poverty',
  'Total Housing Units',
  'Median Rent',
  'Median Home Value',
  'Total Labor Force',
  'Unemployed Population',
  'Total School Age Population',
  'Total School Enrollment',
  'Median Commute Time',
  'price',
  'city_full',
]);

/** The text columns; every other column holds a number (zipcode is a 5-digit string, kept as text). */
export const TEXT_COLUMNS: readonly string[] = Object.freeze(['date', 'city', 'zipcode', 'city_full']);

export const NUMERIC_COLUMNS: readonly string[] = Object.freeze(
  HOUSETS_COLUMNS.filter((c) => !TEXT_COLUMNS.includes(c)),
);

/**
 * Numeric feature columns that `missing_value` and `stray_characters` dirt may touch: every numeric column
 * except the target `price` and the `year` (which is derived from `date`).
 */
export const DIRTABLE_COLUMNS: readonly string[] = Object.freeze(
  NUMERIC_COLUMNS.filter((c) => c !== 'price' && c !== 'year'),
);

/** Column positions, for the generator's hot loop. */
export const COL = Object.freeze(
  Object.fromEntries(HOUSETS_COLUMNS.map((c, i) => [c, i])) as Record<string, number>,
);
