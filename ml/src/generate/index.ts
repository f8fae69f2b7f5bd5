export { HOUSETS_COLUMNS, NUMERIC_COLUMNS, DIRTABLE_COLUMNS } from './columns';
export {
  DIRT_KINDS,
  CLEAN_PRICE_MIN,
  CLEAN_PRICE_MAX,
  PLAUSIBLE_PRICE_MIN,
  PLAUSIBLE_PRICE_MAX,
  citySpellingVariants,
} from './dirt';
export type { DirtKind } from './dirt';
export { METROS, CITY_RENAMES, MAX_ZIPS_PER_METRO, normaliseCityFull } from './metros';
export type { Metro } from './metros';
export {
  SAMPLE_SIZES,
  DEFAULT_SIZE,
  DEFAULT_SEED,
  DEFAULT_DIRT_RATE,
  DEFAULT_FROM,
  DEFAULT_TO,
  generateHouseTsLines,
  expectedRows,
  zipCodeFor,
} from './generator';
export type { SampleSize, GenerateOptions, GenerateSummary } from './generator';
export { writeHouseTsCsv } from './write';
