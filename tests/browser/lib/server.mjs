// One `ninja-orders serve` process on a free loopback port, in its own temp dir, ready when /readyz
// answers 200. The port is the one the server picked itself (--listen 127.0.0.1:0) and announced in its
// "listening on" log line, so two runs on one machine never race for a port.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from './poll.mjs';

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/;

export async function startServer({ bin, name, dir, args = [], logDir }) {
  mkdirSync(dir, { recursive: true });
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `server-${name}.log`));
  const child = spawn(
    bin,
    ['serve', '--listen', '127.0.0.1:0', '--store', `sqlite:${join(dir, 'orders.db')}`,
      '--notify-log', join(dir, 'notify.log'), ...args],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log, { end: false });
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (error) => resolve({ code: error.message })); // could not even start
  });
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${name}: no "listening on" line in 15 s`)), 15000);
    child.stderr.on('data', (chunk) => {
      log.write(chunk);
      if (seen === null) return;
      seen += chunk.toString();
      const match = LISTENING.exec(seen);
      if (match) { seen = null; clearTimeout(timer); resolve(match[1]); }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name}: exited (${code ?? signal}) before listening; see server-${name}.log: ${seen ?? ''}`));
    });
  });
  await poll(async () => (await fetch(`${url}/readyz`)).status === 200, { timeout: 15000, what: `${name} /readyz` });
  return {
    name,
    url,
    pid: child.pid,
    /** SIGTERM (the server drains), SIGKILL if it has not exited after 5 s. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const late = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(late);
      }
      log.end();
    },
    /** For the process 'exit' hook, which cannot wait. */
    killNow() { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); },
  };
}
