import { fileURLToPath } from 'node:url';
const here = fileURLToPath(new URL('.', import.meta.url));
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(here, '..', '..');

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

/** `Parley.Server api-key create e2e` in the server's data directory: the key it prints once. */
function apiKey(dll: string, dir: string): Promise<string> {
  return new Promise((ok, fail) => {
    const cli = spawn('dotnet', [dll, 'api-key', 'create', 'e2e'], { cwd: dir, env: { ...process.env, ASPNETCORE_ENVIRONMENT: 'Production' } });
    let out = '';
    cli.stdout.on('data', (chunk) => (out += chunk));
    cli.on('error', fail);
    cli.on('exit', (code) => {
      const key = out.split('\n').find((line) => line.startsWith('pk_'));
      if (code === 0 && key) ok(key.trim());
      else fail(new Error(`api-key create exited with ${code}: ${out}`));
    });
  });
}

/** Starts the real server (Release build output) on a free loopback port with an empty SQLite data directory. */
export default async function globalSetup() {
  if (process.env.PARLEY_E2E_URL) return; // a server given from outside
  const dll = process.env.PARLEY_E2E_SERVER_DLL ?? join(repo, 'src/Parley.Server/bin/Release/net10.0/Parley.Server.dll');
  if (!existsSync(dll)) throw new Error(`${dll} is missing: build first (dotnet build Parley.slnx -c Release)`);
  const webRoot = join(repo, 'web/dist');
  if (!existsSync(join(webRoot, 'index.html'))) throw new Error('web/dist is missing: run npm run build in web/ (the server build does it)');
  const dir = mkdtempSync(join(tmpdir(), 'parley-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(dir, 'server.log');
  const out = createWriteStream(log);
  const server = spawn('dotnet', [dll, '--urls', url], {
    cwd: dir,
    env: {
      ...process.env,
      ASPNETCORE_ENVIRONMENT: 'Production',
      Web__Root: webRoot,
      Files__Path: join(dir, 'files'),
      RateLimits__RegisterPerMinute: '1000',
      RateLimits__LoginPerMinute: '1000',
      // One e-mail code per address per second, not per minute: account-data.spec.ts signs up and resets at once.
      Accounts__VerificationCodeCooldown: '00:00:01',
      DOTNET_gcServer: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  server.stdout.pipe(out);
  server.stderr.pipe(out);
  writeFileSync(join(here, '.server.pid'), String(server.pid));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}; log: ${log}`);
    try {
      const r = await fetch(url + '/readyz');
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`the server did not become ready in 60 s; log: ${log}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  process.env.PARLEY_E2E_URL = url;
  process.env.PARLEY_E2E_LOG = log;
  // An API key for the specs that act as the embedding product (announcements.spec.ts): made by the server's own CLI.
  process.env.PARLEY_E2E_API_KEY = await apiKey(dll, dir);
  server.unref();
}
