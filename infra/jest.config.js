const preset = require('../jest.preset.js');

/**
 * Synthesising the app (with cdk-nag) costs a few seconds of CPU per synth: each test file synthesises once
 * in beforeAll and shares the result, and the two files that synthesise run side by side (2 workers).
 */
/** @type {import('jest').Config} */
module.exports = { ...preset, roots: ['<rootDir>/test'], testTimeout: 120000, maxWorkers: 2 };
