#!/usr/bin/env node
// Top functions by self time of a V8 CPU profile (node --cpu-prof), as a share of all samples.
//
//   node bench/batch/profile-top.js FILE.cpuprofile [N] [--busy]
// Prints one JSON object: total sampled milliseconds, the garbage collector's share of them and the N
// (default 10) heaviest functions. --busy leaves the '(idle)' samples out of the total and the list (a
// worker process waits between jobs and on I/O; its idle time says nothing about where its CPU went).
'use strict';
const { readFileSync } = require('node:fs');
const path = require('node:path');

const busyOnly = process.argv.includes('--busy');
const [file, n = '10'] = process.argv.slice(2).filter((a) => a !== '--busy');
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const { functionName, url, lineNumber } = node.callFrame;
  const key =
    `${functionName || '(anonymous)'} ${url ? `${path.basename(url)}:${lineNumber + 1}` : ''}`.trim();
  selfUs.set(key, (selfUs.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const idle = selfUs.get('(idle)') ?? 0;
if (busyOnly) selfUs.delete('(idle)');
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const top = [...selfUs.entries()]
  .sort((a, b) => b[1] - a[1])
  .slice(0, Number(n))
  .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: Math.round((us / total) * 1000) / 10 }));
const gc = selfUs.get('(garbage collector)') ?? 0;
process.stdout.write(
  JSON.stringify(
    {
      total_ms: Math.round(total / 1000),
      ...(busyOnly && { busy_ms: Math.round(total / 1000), idle_ms: Math.round(idle / 1000) }),
      gc_ms: Math.round(gc / 1000),
      gc_share: Math.round((gc / total) * 1000) / 10,
      top,
    },
    null,
    1,
  ) + '\n',
);
