import { useState } from 'preact/hooks';
import { api, ApiError, errorText } from '../api';
import type { AuthResponse } from '../types';

type Mode = 'login' | 'register';

export function Login() {
  const [mode, setMode] = useState<Mode>('login');
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [nickname, setNickname] = useState('');
  const [code, setCode] = useState('');
  const [codeSent, setCodeSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const [info, setInfo] = useState('');
  const isEmail = login.includes('@');

  async function sendCode() {
    setError('');
    setBusy(true);
    try {
      await api.post('/auth/verification-codes', { email: login.trim() });
      setCodeSent(true);
      setInfo('We sent a code to your e-mail. (On a server without e-mail, it is in the server log.)');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: Event) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      let auth: AuthResponse;
      if (mode === 'login') {
        auth = await api.post<AuthResponse>('/auth/login', { login: login.trim(), password });
      } else {
        const body: Record<string, string> = { password, nickname: nickname.trim() };
        if (isEmail) body.email = login.trim();
        else body.phone = login.trim();
        if (code.trim()) body.code = code.trim();
        try {
          auth = await api.post<AuthResponse>('/auth/register', body);
        } catch (err) {
          if (isEmail && err instanceof ApiError && err.field === 'code' && !codeSent) {
            setError('This server checks e-mail addresses: ask for a code, then enter it below.');
            return;
          }
          throw err;
        }
      }
      api.signIn(auth);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main class="login">
      <form class="card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">{mode === 'login' ? 'Sign in to Parley' : 'Create your Parley account'}</h1>
        <div class="segmented" role="group" aria-label="Sign in or register">
          <button type="button" aria-pressed={mode === 'login'} onClick={() => setMode('login')} data-testid="mode-login">
            Sign in
          </button>
          <button type="button" aria-pressed={mode === 'register'} onClick={() => setMode('register')} data-testid="mode-register">
            Register
          </button>
        </div>
        <label>
          {mode === 'login' ? 'Phone, e-mail or username' : 'Phone number or e-mail'}
          <input name="login" autoComplete="username" required value={login} onInput={(e) => setLogin(e.currentTarget.value)} inputMode={mode === 'register' && !isEmail ? 'tel' : undefined} />
        </label>
        {mode === 'register' && (
          <label>
            Nickname
            <input name="nickname" autoComplete="nickname" required maxLength={32} value={nickname} onInput={(e) => setNickname(e.currentTarget.value)} />
          </label>
        )}
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={mode === 'login' ? 'current-password' : 'new-password'}
            required
            minLength={mode === 'register' ? 8 : undefined}
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {mode === 'register' && isEmail && (
          <div class="row">
            <label class="grow">
              E-mail code
              <input name="code" inputMode="numeric" autoComplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} />
            </label>
            <button type="button" class="secondary" onClick={sendCode} disabled={busy || !login.includes('@')}>
              {codeSent ? 'Send again' : 'Send code'}
            </button>
          </div>
        )}
        {info && <p class="info" role="status">{info}</p>}
        {error && (
          <p class="error" role="alert" data-testid="auth-error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {mode === 'login' ? 'Sign in' : 'Create account'}
        </button>
        {mode === 'register' && <p class="hint">A phone number signs you up at once; an e-mail address may need a code.</p>}
      </form>
    </main>
  );
}
