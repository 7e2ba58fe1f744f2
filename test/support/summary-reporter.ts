import type { Reporter, TestModule } from 'vitest/node';

/** Prints the suite's last line as `N passed, N failed` (the line CI reads). */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // a hook that fails (a suite's beforeAll, say) skips its tests: each such error is a failure, or
      // a suite that cannot even set itself up would read as "0 failed"
      const hookErrors =
        module.errors().length + [...module.children.allSuites()].reduce((n, s) => n + s.errors().length, 0);
      failed += hookErrors;
      // a file that fails to load has no tests but must still count as a failure
      if (hookErrors === 0 && module.state() === 'failed' && module.children.size === 0) failed++;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
