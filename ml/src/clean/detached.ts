/**
 * Below this length V8 copies a substring instead of slicing it (SlicedString::kMinLength, which is also
 * ConsString::kMinLength): a shorter string never keeps another one alive.
 */
const SLICE_MIN_LENGTH = 13;

/**
 * `text` as a string of its own, sharing no memory with the text it was cut from. V8 cuts a substring of
 * 13 or more characters as a slice that keeps its whole parent alive, so a field value kept past its
 * row (a cache key, a category, a region label) kept the 1 MB decoded chunk of the CSV it came from:
 * after 800,000 HouseTS rows the caches of two category columns held 31 such chunks, 31 MB, and scoring's
 * live heap grew with the input (bench/results/batch.md). Use it where a value outlives its row;
 * it costs a copy, so only on a cache miss, never per row. The JSON round trip is exact for every string,
 * lone surrogates included.
 */
export function detached(text: string): string {
  return text.length < SLICE_MIN_LENGTH ? text : (JSON.parse(JSON.stringify(text)) as string);
}
