#!/usr/bin/env node
// Totals every suite's machine-readable results (jest --json files, pytest/junit XML) in test-results/
// into the one plain line CI reads: "total: N passed, N failed, N skipped". Exits 1 on any failure or
// when nothing ran, so a silently empty test run can never pass.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? 'test-results';
let passed = 0;
let failed = 0;
let skipped = 0;
const lines = [];
for (const file of readdirSync(dir).sort()) {
  const text = readFileSync(join(dir, file), 'utf8');
  let p = 0;
  let f = 0;
  let s = 0;
  if (file.endsWith('.json')) {
    const r = JSON.parse(text);
    p = r.numPassedTests;
    f = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
    // A runner whose setup threw reports success: false with nothing counted: that is a failure.
    if (r.success === false && f === 0) f = 1;
    s = r.numPendingTests + (r.numTodoTests ?? 0);
  } else if (file.endsWith('.xml')) {
    for (const m of text.matchAll(/<testsuite\b([^>]*)>/g)) {
      const attr = (name) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(m[1])?.[1] ?? 0);
      const total = attr('tests');
      const bad = attr('failures') + attr('errors');
      s += attr('skipped');
      f += bad;
      p += total - bad - attr('skipped');
    }
  } else continue;
  lines.push(`  ${file}: ${p} passed, ${f} failed, ${s} skipped`);
  passed += p;
  failed += f;
  skipped += s;
}
console.log(lines.join('\n'));
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
