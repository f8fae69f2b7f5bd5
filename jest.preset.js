// Shared jest settings: SWC transpiles TypeScript (TypeScript 7 has no compiler API for ts-jest),
// with decorator metadata on so Nest's dependency injection works in tests.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: require.resolve('./jest.environment.js'),
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
