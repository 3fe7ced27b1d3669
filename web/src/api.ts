// The HTTP side of the API (docs/API.md): bearer tokens that refresh themselves, problem details turned into
// ApiError with a sentence for people, and uploads with progress.
import { describeError } from './errors';
import type { AuthResponse, FileRef, OwnProfile } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface Session {
  accessToken: string;
  expiresAt: string;
  refreshToken: string;
  user: OwnProfile;
}

const storageKey = 'parley.session';
const base = '/api/v1';

type Listener = (session: Session | null) => void;

class Api {
  private session: Session | null = load();
  private refreshing: Promise<Session | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private listeners = new Set<Listener>();

  constructor() {
    // Another tab refreshed or signed out: take its tokens, do not rotate them a second time.
    window.addEventListener('storage', (e) => {
      if (e.key !== storageKey) return;
      this.session = load();
      this.schedule();
      this.emit();
    });
    this.schedule();
  }

  get current(): Session | null {
    return this.session;
  }

  get token(): string | null {
    return this.session?.accessToken ?? null;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Adopts a register/login answer. */
  signIn(auth: AuthResponse) {
    this.save({ accessToken: auth.accessToken, expiresAt: auth.expiresAt, refreshToken: auth.refreshToken, user: auth.user });
  }

  updateUser(user: OwnProfile) {
    if (this.session) this.save({ ...this.session, user });
  }

  async signOut() {
    const session = this.session;
    if (session) {
      try {
        await fetch(base + '/auth/logout', { method: 'POST', headers: { Authorization: 'Bearer ' + session.accessToken } });
      } catch {
        /* signing out locally is what matters */
      }
    }
    this.save(null);
  }

  /** A token good for at least another half minute (refreshing first when needed), or null when signed out. */
  async freshToken(): Promise<string | null> {
    const s = this.session;
    if (!s) return null;
    if (Date.parse(s.expiresAt) - Date.now() > 30_000) return s.accessToken;
    return (await this.refresh())?.accessToken ?? null;
  }

  /** Rotates the refresh token once, however many callers ask at the same time (across tabs too). */
  refresh(): Promise<Session | null> {
    if (!this.refreshing) {
      const used = this.session?.refreshToken;
      const run = async (): Promise<Session | null> => {
        // Another tab may have rotated it while we waited for the lock.
        const stored = load();
        if (stored && stored.refreshToken !== used) {
          this.session = stored;
          return stored;
        }
        if (!used) return null;
        let res: Response;
        try {
          res = await fetch(base + '/auth/refresh', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ refreshToken: used }),
          });
        } catch {
          throw new ApiError(0, 'network', describeError('network'));
        }
        if (res.ok) {
          const auth = (await res.json()) as AuthResponse;
          this.signIn(auth);
          return this.session;
        }
        if (res.status === 400 || res.status === 401) {
          this.save(null); // the session is over: back to the sign-in screen
          return null;
        }
        throw await toError(res);
      };
      const locked = navigator.locks ? navigator.locks.request('parley-refresh', run).then((s) => s) : run();
      this.refreshing = locked.finally(() => (this.refreshing = null));
    }
    return this.refreshing!;
  }

  async request<T>(method: string, path: string, body?: unknown, query?: Record<string, string | number | undefined>): Promise<T> {
    let url = base + path;
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
      const s = q.toString();
      if (s) url += '?' + s;
    }
    for (let attempt = 0; ; attempt++) {
      const token = await this.freshToken();
      const headers: Record<string, string> = {};
      if (token) headers.Authorization = 'Bearer ' + token;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch {
        throw new ApiError(0, 'network', describeError('network'));
      }
      if (res.status === 401 && token && attempt === 0) {
        if (await this.refresh()) continue;
      }
      if (!res.ok) throw await toError(res);
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    }
  }

  get<T>(path: string, query?: Record<string, string | number | undefined>) {
    return this.request<T>('GET', path, undefined, query);
  }
  post<T>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body ?? {});
  }
  patch<T>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  del<T>(path: string) {
    return this.request<T>('DELETE', path);
  }

  /** POST /files with upload progress (fetch cannot report it; XMLHttpRequest can). */
  async upload(file: Blob, name: string, kind?: string, onProgress?: (fraction: number) => void): Promise<FileRef> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.freshToken();
      const result = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open('POST', base + '/files');
        if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
        xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total);
        xhr.onload = () => resolve({ status: xhr.status, body: xhr.responseText });
        xhr.onerror = () => reject(new ApiError(0, 'network', describeError('network')));
        const form = new FormData();
        if (kind) form.append('kind', kind); // before the file: the server checks the bytes against it as they arrive
        form.append('file', file, name);
        xhr.send(form);
      });
      if (result.status === 401 && attempt === 0 && (await this.refresh())) continue;
      if (result.status >= 200 && result.status < 300) {
        onProgress?.(1);
        return JSON.parse(result.body) as FileRef;
      }
      throw problemToError(result.status, result.body);
    }
  }

  /** A URL an <img>, <audio> or link can load: API file URLs get the access token as a query parameter. */
  fileUrl(url: string | undefined | null): string | undefined {
    if (!url) return undefined;
    if (!url.startsWith('/api/') || !this.token) return url;
    return url + (url.includes('?') ? '&' : '?') + 'access_token=' + encodeURIComponent(this.token);
  }

  private save(session: Session | null) {
    this.session = session;
    if (session) localStorage.setItem(storageKey, JSON.stringify(session));
    else localStorage.removeItem(storageKey);
    this.schedule();
    this.emit();
  }

  /** Refreshes a minute before the access token expires, so a quiet tab keeps a working socket. */
  private schedule() {
    clearTimeout(this.timer);
    if (!this.session) return;
    const due = Date.parse(this.session.expiresAt) - Date.now() - 60_000;
    this.timer = setTimeout(() => void this.refresh().catch(() => this.schedule()), Math.max(due, 5_000));
  }

  private emit() {
    for (const l of this.listeners) l(this.session);
  }
}

function load(): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

async function toError(res: Response): Promise<ApiError> {
  return problemToError(res.status, await res.text().catch(() => ''));
}

function problemToError(status: number, body: string): ApiError {
  let code = status === 413 ? 'payload_too_large' : status === 429 ? 'rate_limited' : 'internal_error';
  let detail: string | undefined;
  let field: string | undefined;
  try {
    const p = JSON.parse(body) as { code?: string; detail?: string; errors?: Record<string, string[]> };
    code = p.code ?? code;
    detail = p.detail;
    field = p.errors ? Object.keys(p.errors)[0] : undefined;
  } catch {
    /* not problem details */
  }
  return new ApiError(status, code, describeError(code, detail), field);
}

export const api = new Api();

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  if (e instanceof DOMException && e.name === 'NotAllowedError') return 'Permission was denied by the browser.';
  if (e instanceof DOMException && e.name === 'NotFoundError') return 'No camera or microphone was found.';
  return describeError(undefined, e instanceof Error ? e.message : undefined);
}
