// What the scenarios share, each started on first use (running one scenario starts only what it needs)
// and all stopped by stop(), which the suite calls however the scenarios ended. A process 'exit' hook
// SIGKILLs any server still running if the runner itself dies mid-way.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { apiClient } from './api.mjs';
import { launchBrowser } from './browser.mjs';
import { startReceiver } from './receiver.mjs';
import { startServer } from './server.mjs';

// Retries fast enough that a failing webhook is dead in well under a second (2 attempts, 100–200 ms apart).
const FAST_RETRIES = ['--max-attempts', '2', '--retry-base-ms', '100', '--retry-max-ms', '200'];

export class Environment {
  constructor({ bin, artifacts }) {
    if (!bin) throw new Error('NINJA_ORDERS_BIN is not set (the ninja-orders binary to test)');
    this.bin = resolve(bin);
    this.artifacts = resolve(artifacts);
    this.root = mkdtempSync(join(tmpdir(), 'ninja-browser-'));
    this.adminKey = randomBytes(32).toString('hex');
    this.started = new Map();
    this.servers = [];
    this.onExit = () => this.servers.forEach((server) => server.killNow());
    process.on('exit', this.onExit);
  }

  once(name, start) {
    if (!this.started.has(name)) this.started.set(name, start());
    return this.started.get(name);
  }

  /** Webhook receivers: `ok` answers 200; `failing` answers 500 until a test sets its status to 200. */
  okReceiver() { return this.once('ok-receiver', () => startReceiver({ name: 'ok', status: 200 })); }
  failingReceiver() { return this.once('failing-receiver', () => startReceiver({ name: 'failing', status: 500 })); }

  async launch(name, args) {
    const server = await startServer({ bin: this.bin, name, dir: join(this.root, name), args, logDir: this.artifacts });
    this.servers.push(server);
    return server;
  }

  /** `--auth none` on loopback, no admin key: the console works without a key (what `make run` does). */
  openServer() {
    return this.once('open', async () => {
      const server = await this.launch('open', ['--auth', 'none', '--webhook-allow-private', '--access-log', 'false', ...FAST_RETRIES]);
      return { ...server, api: apiClient(server.url) };
    });
  }

  /** `--auth api-key` with an admin key: the console asks for a key. */
  keyedServer() {
    return this.once('keyed', async () => {
      const keyFile = join(this.root, 'admin.key');
      writeFileSync(keyFile, `${this.adminKey}\n`, { mode: 0o600 });
      const server = await this.launch('keyed', ['--auth', 'api-key', '--admin-key-file', keyFile, '--access-log', 'false']);
      return { ...server, api: apiClient(server.url, this.adminKey) };
    });
  }

  browser() { return this.once('browser', () => launchBrowser({ userDataDir: join(this.root, 'chromium-profile') })); }

  async stop() {
    const closing = [];
    if (this.started.has('browser')) closing.push(this.started.get('browser').then((b) => b.close()).catch(() => {}));
    for (const server of this.servers) closing.push(server.stop().catch(() => server.killNow()));
    for (const name of ['ok-receiver', 'failing-receiver']) {
      if (this.started.has(name)) closing.push(this.started.get(name).then((r) => r.close()).catch(() => {}));
    }
    await Promise.all(closing);
    process.off('exit', this.onExit);
    rmSync(this.root, { recursive: true, force: true });
  }
}
