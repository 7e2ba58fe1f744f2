import { Command } from 'commander';

// `sluice namespace files update NAMESPACE FOLDER [TO]`: Kestra's `kestra namespace files update`, for
// CI/CD. It talks to a running server's API, as Kestra's does, so it works whichever database and
// storage the server uses (the embedded database belongs to the process that opened it).

interface ApiOptions {
  server: string;
  user?: string;
  token?: string;
}

function headers(opts: ApiOptions): Record<string, string> {
  if (opts.token) return { authorization: `Bearer ${opts.token}` };
  if (opts.user) return { authorization: `Basic ${Buffer.from(opts.user).toString('base64')}` };
  return {};
}

async function call(opts: ApiOptions, method: string, path: string, body?: FormData): Promise<Response> {
  const url = new URL(path, opts.server.endsWith('/') ? opts.server : `${opts.server}/`);
  const response = await fetch(url, { method, headers: headers(opts), body });
  if (!response.ok && response.status !== 404) {
    const text = await response.text();
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      // not JSON: the text itself says what went wrong
    }
    throw new Error(`${method} ${url.pathname}: ${response.status} ${message}`);
  }
  return response;
}

export function namespaceCommand(): Command {
  const namespace = new Command('namespace').description('manage what belongs to a namespace');
  const files = new Command('files').description('namespace files');
  files
    .command('update')
    .description(
      'upload the files of a local folder to a namespace, at their paths under TO (symbolic links are skipped)',
    )
    .argument('<namespace>')
    .argument('<folder>', 'the local folder')
    .argument('[to]', 'the namespace directory to upload into', '/')
    .option('--delete', 'delete the namespace directory TO first, so that only the folder’s files remain')
    .option('--server <url>', 'the Sluice server', 'http://127.0.0.1:8080')
    .option('--user <user:password>', 'HTTP basic credentials')
    .option('--token <token>', 'a bearer token (sluice token create)')
    .action(async (ns: string, folder: string, to: string, opts: ApiOptions & { delete?: boolean }) => {
      const { localFiles } = await import('./local-files.js');
      const { openAsBlob } = await import('node:fs');
      const base = `api/v1/namespaces/${encodeURIComponent(ns)}/files`;
      const prefix = `/${to.replace(/^\/+|\/+$/g, '')}`.replace(/^\/$/, '');
      const { files: found, skipped } = await localFiles(folder);
      for (const link of skipped) process.stderr.write(`skipped ${link}: a symbolic link\n`);
      if (opts.delete) await call(opts, 'DELETE', `${base}?path=${encodeURIComponent(prefix || '/')}`);
      for (const file of found) {
        const destination = `${prefix}/${file.relative}`;
        const form = new FormData();
        form.append('fileContent', await openAsBlob(file.absolute), file.relative);
        await call(opts, 'POST', `${base}?path=${encodeURIComponent(destination)}`, form);
        process.stdout.write(`uploaded ${file.relative} to ${destination}\n`);
      }
    });
  namespace.addCommand(files);
  return namespace;
}
