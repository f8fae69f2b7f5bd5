import { testRandom } from './streams';

export const CALIFORNIA_COLUMNS = [
  'longitude',
  'latitude',
  'housing_median_age',
  'total_rooms',
  'total_bedrooms',
  'population',
  'households',
  'median_income',
  'median_house_value',
  'ocean_proximity',
] as const;

/** Canonical ocean_proximity values with their share of rows and their effect on log value. */
const OCEAN: [string, number, number][] = [
  ['<1H OCEAN', 0.42, 0.25],
  ['INLAND', 0.3, -0.35],
  ['NEAR OCEAN', 0.14, 0.3],
  ['NEAR BAY', 0.135, 0.4],
  ['ISLAND', 0.005, 0.8],
];

/** Spellings a spreadsheet might produce, all upper-cased and space-collapsed back to the canonical value. */
const DIRTY_SPELLINGS: Record<string, string[]> = {
  '<1H OCEAN': ['<1h ocean', ' <1H OCEAN'],
  INLAND: [' inland ', 'Inland', 'inland'],
  'NEAR OCEAN': ['near ocean', 'NEAR  OCEAN'],
  'NEAR BAY': ['Near Bay', '  NEAR   BAY '],
  ISLAND: ['island'],
};

export interface CaliforniaSample {
  csv: string;
  rows: number;
  /** Rows whose ocean_proximity is not written in canonical form. */
  dirtySpellings: number;
  /** Rows with an empty total_bedrooms. */
  emptyBedrooms: number;
  /** Canonical ocean_proximity of each row. */
  ocean: string[];
}

/** A seeded synthetic CSV in the shape of the 1990 California housing data. */
export function californiaSample(rows = 2000, seed = 2024): CaliforniaSample {
  const random = testRandom(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines = [CALIFORNIA_COLUMNS.join(',')];
  let dirtySpellings = 0;
  let emptyBedrooms = 0;
  const ocean: string[] = [];
  for (let i = 0; i < rows; i++) {
    let r = random();
    let pick = OCEAN[0]!;
    for (const entry of OCEAN) {
      if (r < entry[1]) {
        pick = entry;
        break;
      }
      r -= entry[1];
    }
    const [category, , effect] = pick;
    ocean.push(category);
    let written = category;
    if (random() < 0.08) {
      const variants = DIRTY_SPELLINGS[category]!;
      written = variants[Math.floor(random() * variants.length)]!;
      dirtySpellings++;
    }
    const longitude = -124 + random() * 10;
    const latitude = 32.5 + random() * 9.5;
    const age = 1 + Math.floor(random() * 52);
    const households = 100 + Math.floor(random() * 1500);
    const rooms = Math.round(households * (3 + random() * 4));
    const bedrooms = Math.round(rooms * (0.18 + random() * 0.06));
    const population = Math.round(households * (2 + random() * 2));
    const income = Math.max(0.5, Math.min(15, 3.8 + 1.9 * normal()));
    const value = Math.min(
      500001,
      Math.round(
        Math.exp(
          Math.log(45000) + 0.17 * income + effect - 0.004 * age - 0.03 * (latitude - 34) + 0.08 * normal(),
        ),
      ),
    );
    let bedroomText = String(bedrooms);
    if (random() < 0.04) {
      bedroomText = '';
      emptyBedrooms++;
    }
    lines.push(
      [
        longitude.toFixed(2),
        latitude.toFixed(2),
        age,
        rooms,
        bedroomText,
        population,
        households,
        income.toFixed(4),
        value,
        written.includes(',') ? `"${written}"` : written,
      ].join(','),
    );
  }
  return { csv: lines.join('\n') + '\n', rows, dirtySpellings, emptyBedrooms, ocean };
}
