const preset = require('../jest.preset.js');

/** @type {import('jest').Config} */
module.exports = { ...preset, roots: ['<rootDir>/src'], testTimeout: 120000 };
