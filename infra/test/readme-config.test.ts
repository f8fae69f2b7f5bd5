/**
 * The README's configuration table against the code: every variable the backend's configuration schema
 * declares, and every variable backend or ml code reads from process.env itself, has a row; and every row
 * names a variable the code reads (or one the AWS SDK reads), so the table neither lags nor invents.
 */
import { configSchemaKeys, isAwsSdkVariable, listFiles, read, readmeConfigVariables } from './support/repo';

/** `process.env.NAME` / `env.NAME` / `env['NAME']` reads in the non-test sources of backend and ml. */
function variablesReadDirectly(): Map<string, string> {
  const found = new Map<string, string>();
  const files = [...listFiles('backend/src'), ...listFiles('ml/src')].filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.includes('/test-support/'),
  );
  for (const file of files)
    for (const m of read(file).matchAll(/\benv(?:\.|\[')([A-Z][A-Z0-9_]{2,})\b/g))
      if (!found.has(m[1]!)) found.set(m[1]!, file);
  return found;
}

describe('README "Configuration" table', () => {
  const documented = readmeConfigVariables();

  test('has a row for every variable of the configuration schema (backend/src/config/config.ts)', () => {
    const missing = configSchemaKeys().filter((k) => !documented.includes(k));
    expect(missing).toEqual([]);
  });

  test('has a row for every variable backend or ml code reads from the environment itself', () => {
    const direct = variablesReadDirectly();
    expect(direct.size).toBeGreaterThan(0); // the scan finds the reads (HOUSING_API_KEY, ML_TRAINER_PYTHON)
    const missing = [...direct].filter(([name]) => !documented.includes(name) && !isAwsSdkVariable(name));
    expect(missing).toEqual([]);
  });

  test('names only variables the code reads', () => {
    const read = new Set([...configSchemaKeys(), ...variablesReadDirectly().keys()]);
    const invented = documented.filter((v) => !read.has(v) && !isAwsSdkVariable(v));
    expect(invented).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length); // no variable twice
  });
});
