import { expect, test } from 'vitest';
import { version } from '../../src/version.js';

test('version is semver', () => {
  expect(version).toMatch(/^\d+\.\d+\.\d+$/);
});
