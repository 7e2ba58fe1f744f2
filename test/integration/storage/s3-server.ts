// A real S3-compatible server on loopback for the tests: @20minutes/s3rver, the kept fork of s3rver
// (MIT, Node ≥ 20, no Docker, no network), in a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

export interface S3Server {
  endpoint: string;
  bucket: string;
  /** s3rver's one account */
  accessKey: string;
  secretKey: string;
  stop(): Promise<void>;
}

export async function startS3Server(bucket = 'sluice-test'): Promise<S3Server> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-s3rver-'));
  const child = spawn(process.execPath, [MAIN, dir, bucket], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const stop = async () => {
    await ended(child);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const line = out.split('\n')[0];
        if (out.includes('\n')) resolve((JSON.parse(line) as { port: number }).port);
      });
      child.once('exit', (code) => reject(new Error(`s3rver exited ${code} before serving:\n${stderr}`)));
    });
    return {
      endpoint: `http://127.0.0.1:${port}`,
      bucket,
      accessKey: 'S3RVER',
      secretKey: 'S3RVER',
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function ended(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
