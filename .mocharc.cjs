'use strict';
// One mocha run for the whole repository. Tests are TypeScript, loaded through tsx; the packages they import
// resolve to their built dist/ (npm test builds first).
module.exports = {
  require: ['tsx/cjs'],
  extension: ['ts'],
  spec: [
    'core/*/test/**/*.test.ts',
    'ports/test/**/*.test.ts',
    'adapters/*/test/**/*.test.ts',
    'adapters/protocols/*/test/**/*.test.ts',
    'plugins/*/test/**/*.test.ts',
    'conformance/test/**/*.test.ts',
    'scripts/test/**/*.test.ts',
  ],
  reporter: './scripts/mocha-summary-reporter.cjs',
  timeout: 30000,
  exit: true,
};
