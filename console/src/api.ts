// Every call the console makes: JSON in and out, the key from sessionStorage as x-api-key, and
// failures as ApiError carrying the server's problem+json (RFC 9457).

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }

  // 401/403: the admin key (or an API key) is missing, wrong, or needed.
  get needsKey(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
}

const KEY_NAME = "ninja-orders.console.key";

// Kept for the browser tab only: closing it forgets the key.
export function sessionKeyStore(storage: Storage = sessionStorage): KeyStore {
  return {
    get: () => storage.getItem(KEY_NAME),
    set: (key) => storage.setItem(KEY_NAME, key),
    clear: () => storage.removeItem(KEY_NAME),
  };
}

export interface Page<T> {
  items: T[];
  next_cursor?: string | null;
}

export class Api {
  constructor(
    private readonly keys: KeyStore,
    private readonly fetcher: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    const key = this.keys.get();
    if (key) headers["x-api-key"] = key;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.fetcher(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new ApiError(0, { title: "Network error", detail: `${method} ${path}: the server did not answer (${String(error)})` });
    }
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, parseProblem(response.status, text));
    if (text === "") return undefined as T;
    return JSON.parse(text) as T;
  }

  // The text of a non-JSON resource (/metrics).
  async text(path: string): Promise<string> {
    const response = await this.fetcher(path, { headers: { accept: "text/plain" } });
    const text = await response.text();
    if (!response.ok) throw new ApiError(response.status, parseProblem(response.status, text));
    return text;
  }
}

function parseProblem(status: number, text: string): Problem {
  try {
    const parsed = JSON.parse(text) as Problem;
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // not JSON: a proxy's page, say
  }
  return { status, title: `HTTP ${status}`, detail: text.slice(0, 200) || `HTTP ${status}` };
}

// Query strings from pairs, leaving out absent values.
export function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== null && value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
