import { createHash } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Kestra's Python images carry its `kestra` package so that scripts can write `from kestra import
// Kestra` and call Kestra.outputs(...). Sluice runs scripts with the host's Python, where that package
// is rarely installed, so it puts this module of the same calls on PYTHONPATH. Each call prints one
// line of the ::{json}:: protocol that every script task already reads.
const KESTRA_MODULE = `"""Sluice's module for scripts written against Kestra's \`kestra\` package."""
import json
import logging
import time


def _print_message(message):
    print("::" + json.dumps(message) + "::", flush=True)


class _ProtocolHandler(logging.Handler):
    _LEVELS = {"WARNING": "WARN", "CRITICAL": "ERROR", "FATAL": "ERROR"}

    def emit(self, record):
        level = self._LEVELS.get(record.levelname, record.levelname)
        _print_message({"logs": [{"level": level, "message": self.format(record)}]})


class Kestra:
    _logger = None

    @staticmethod
    def format(message):
        return "::" + json.dumps(message) + "::"

    @staticmethod
    def outputs(values):
        _print_message({"outputs": values})

    @staticmethod
    def _metric(name, kind, value, tags):
        _print_message({"metrics": [{"name": name, "type": kind, "value": value, "tags": tags or {}}]})

    @staticmethod
    def counter(name, value, tags=None):
        Kestra._metric(name, "counter", value, tags)

    @staticmethod
    def timer(name, duration, tags=None):
        if callable(duration):
            started = time.perf_counter()
            duration()
            duration = time.perf_counter() - started
        Kestra._metric(name, "timer", duration, tags)

    @staticmethod
    def logger():
        if Kestra._logger is None:
            logger = logging.getLogger("Kestra")
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
            logger.addHandler(_ProtocolHandler())
            Kestra._logger = logger
        return Kestra._logger
`;

let libraryDir: Promise<string> | undefined;

/** The directory holding the module, written once per process (under a name that changes with its
 * content, so that two Sluice versions on one host never read each other's). */
export function pythonLibraryDir(): Promise<string> {
  libraryDir ??= writeLibrary().catch((error: unknown) => {
    libraryDir = undefined;
    throw error;
  });
  return libraryDir;
}

async function writeLibrary(): Promise<string> {
  const digest = createHash('sha256').update(KESTRA_MODULE).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `sluice-python-${digest}`);
  await mkdir(dir, { recursive: true });
  // written beside and renamed: a process starting meanwhile never imports half a module
  const partial = join(dir, `kestra.py.${process.pid}.partial`);
  await writeFile(partial, KESTRA_MODULE);
  await rename(partial, join(dir, 'kestra.py'));
  return dir;
}
