import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api';
import { logout, markLoggedIn, saveBasicLogin } from '../auth';

/** Shown whenever the API answers 401: the credentials are checked against the API before use. */
export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    saveBasicLogin(username, password);
    try {
      await api('/api/v1/flows/distinct-namespaces');
      markLoggedIn();
    } catch (e) {
      logout();
      setError(
        e instanceof ApiError && e.status === 401 ? 'Wrong user name or password.' : (e as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="login">
      <form className="card login-card" onSubmit={submit}>
        <h1>Sluice</h1>
        <p className="muted">Sign in to continue.</p>
        <label>
          User name
          <input
            autoFocus
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          Password
          <input
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        {error && (
          <p className="error-text" role="alert">
            {error}
          </p>
        )}
        <button className="primary" disabled={busy || !username}>
          Sign in
        </button>
      </form>
    </div>
  );
}
