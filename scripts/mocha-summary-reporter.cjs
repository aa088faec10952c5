'use strict';
// Mocha reporter: the spec reporter, then one closing line for the whole run: "N passed, N failed, N skipped".
// Skipped tests (this.skip() in lab tests when not root) print their reason through the spec reporter's pending
// line; CI makes those tests required, so none is skipped there.
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END } = Mocha.Runner.constants;

class SummaryReporter extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats || this.stats;
      // Failures in hooks count as failures too (stats.failures includes them).
      process.stdout.write(`\n${s.passes} passed, ${s.failures} failed, ${s.pending} skipped\n`);
    });
  }
}

module.exports = SummaryReporter;
