import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { loadConfig } from '../../../src/config/config.js';

const configFile = (yaml: string) => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'sluice-config-')), 'sluice.yaml');
  writeFileSync(file, yaml);
  return file;
};

test('server.allowedHosts and server.cors.allowedOrigins are read, origins in their normal form', () => {
  const config = loadConfig(
    {
      configFile: configFile(
        'server:\n  allowedHosts: [sluice.example.com]\n  cors:\n    allowedOrigins: ["https://dash.example.com/", "http://localhost:3000"]\n',
      ),
    },
    {},
  );
  expect([config.allowedHosts, config.corsAllowedOrigins]).toEqual([
    ['sluice.example.com'],
    ['https://dash.example.com', 'http://localhost:3000'],
  ]);
});

test('without them: no extra name, no other origin', () => {
  const config = loadConfig({}, {});
  expect([config.allowedHosts, config.corsAllowedOrigins]).toEqual([[], []]);
});

test('an origin with a path or another scheme is refused with the setting named', () => {
  for (const origin of ['https://dash.example.com/app', 'file:///tmp/x', '*']) {
    expect(() =>
      loadConfig({ configFile: configFile(`server:\n  cors:\n    allowedOrigins: ["${origin}"]\n`) }, {}),
    ).toThrow(/server\.cors\.allowedOrigins\.0: expected an origin/);
  }
});
