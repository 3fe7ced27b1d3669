import { fileURLToPath } from 'node:url';
const here = fileURLToPath(new URL('.', import.meta.url));
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export default async function globalTeardown() {
  const file = join(here, '.server.pid');
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8'));
  rmSync(file);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    /* already gone */
  }
}
