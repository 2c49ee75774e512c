#!/usr/bin/env node
// Adds up the vitest JSON reports that every project writes to test-output/ and prints the
// closing line CI reads: "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECTS } from './projects.mjs';

const root = join(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const project of PROJECTS) {
  const report = join(root, project, 'test-output', 'vitest-results.json');
  if (!existsSync(report)) {
    missing.push(project);
    continue;
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests + (results.numFailedTestSuites ?? 0);
  skipped += results.numPendingTests + results.numTodoTests;
  console.log(`${project}: ${results.numPassedTests} passed, ${results.numFailedTests} failed`);
}
if (missing.length > 0) {
  console.log(`no test report from: ${missing.join(', ')}`);
  failed += missing.length;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exitCode = failed > 0 ? 1 : 0;
