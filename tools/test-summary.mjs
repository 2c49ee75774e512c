#!/usr/bin/env node
// Adds up the vitest JSON reports that every project writes to test-output/ and prints the
// closing line CI reads: "N passed, N failed" (skipped tests counted on the line before).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECTS } from './projects.mjs';

const root = join(import.meta.dirname, '..');

/**
 * The failures in one vitest JSON report: the failed tests, and each test file that failed
 * with no failed test in it (an import that throws, a hook that fails), which counts as one.
 * (`numFailedTestSuites` counts a file and each of its describe blocks around one failed test.)
 */
function countFailures(results) {
  const failedFiles = results.testResults.filter(
    (file) =>
      file.status === 'failed' && !file.assertionResults.some((test) => test.status === 'failed'),
  );
  return results.numFailedTests + failedFiles.length;
}

/** One line per failure: the file, the test's full name and the first line of its message. */
function describeFailures(project, results) {
  const lines = [];
  for (const file of results.testResults) {
    const path = file.name.slice(file.name.indexOf(project));
    const failedTests = file.assertionResults.filter((test) => test.status === 'failed');
    for (const test of failedTests) {
      const message = (test.failureMessages[0] ?? '').split('\n')[0];
      lines.push(`  FAILED ${path} > ${test.fullName}: ${message}`);
    }
    if (file.status === 'failed' && failedTests.length === 0) {
      lines.push(`  FAILED ${path}: ${(file.message ?? '').split('\n')[0]}`);
    }
  }
  return lines;
}

let passed = 0;
let failed = 0;
const failures = [];
let skipped = 0;
const missing = [];
for (const project of PROJECTS) {
  const report = join(root, project, 'test-output', 'vitest-results.json');
  if (!existsSync(report)) {
    missing.push(project);
    continue;
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  const projectFailed = countFailures(results);
  passed += results.numPassedTests;
  failed += projectFailed;
  skipped += results.numPendingTests + results.numTodoTests;
  console.log(`${project}: ${results.numPassedTests} passed, ${projectFailed} failed`);
  failures.push(...describeFailures(project, results));
}
// The failures by name, after the counts, so the tail of a CI log says what broke.
for (const line of failures) console.log(line);
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(', ')}`);
  failed += missing.length;
}
// Skipped tests on a line of their own: the last line is exactly "N passed, N failed".
if (skipped > 0) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
