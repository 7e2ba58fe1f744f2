import { Suspense, useSyncExternalStore, type ReactNode } from 'react';
import { authorization, loginState, logout } from './auth';
import { Link } from './components/Link';
import { DATA_SECTIONS } from './components/SectionNav';
import { ActorPage } from './pages/ActorPage';
import { ActorsPage } from './pages/ActorsPage';
import { ConnectionPage } from './pages/ConnectionPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { DashboardPage } from './pages/DashboardPage';
import { ExecutionPage } from './pages/ExecutionPage';
import { ExecutionsPage } from './pages/ExecutionsPage';
import { FlowPage } from './pages/FlowPage';
import { FlowsPage } from './pages/FlowsPage';
import { LoginPage } from './pages/LoginPage';
import { LogsPage } from './pages/LogsPage';
import { NamespacePage, isNamespaceTab } from './pages/NamespacePage';
import { NamespacesPage } from './pages/NamespacesPage';
import { NewConnectionPage } from './pages/NewConnectionPage';
import { TriggersPage } from './pages/TriggersPage';
import { NotificationsPage } from './pages/NotificationsPage';
import { match, useLocation } from './router';
import { toggleTheme, useTheme } from './theme';

function page(path: string): ReactNode {
  let params: Record<string, string> | undefined;
  if (path === '/') return <DashboardPage />;
  if (path === '/flows') return <FlowsPage />;
  if (path === '/flows/new') return <FlowPage key="new" />;
  if ((params = match('/flows/:namespace/:id', path)))
    return <FlowPage key={`${params.namespace}/${params.id}`} namespace={params.namespace} id={params.id} />;
  if (path === '/executions') return <ExecutionsPage />;
  if ((params = match('/executions/:id', path))) return <ExecutionPage key={params.id} id={params.id} />;
  if (path === '/logs') return <LogsPage />;
  if (path === '/triggers') return <TriggersPage />;
  if (path === '/namespaces') return <NamespacesPage />;
  if ((params = match('/namespaces/:namespace', path)))
    return <NamespacePage key={params.namespace} namespace={params.namespace} tab="files" />;
  if ((params = match('/namespaces/:namespace/:tab', path)) && isNamespaceTab(params.tab))
    return <NamespacePage key={params.namespace} namespace={params.namespace} tab={params.tab} />;
  if (path === '/settings/notifications') return <NotificationsPage />;
  if (path === '/connections') return <ConnectionsPage />;
  if (path === '/connections/new') return <NewConnectionPage />;
  if ((params = match('/connections/:id', path))) return <ConnectionPage key={params.id} id={params.id} />;
  for (const kind of ['source', 'destination'] as const) {
    if (path === `/${kind}s`) return <ActorsPage key={kind} kind={kind} />;
    if (path === `/${kind}s/new`) return <ActorPage key={`${kind}/new`} kind={kind} />;
    if ((params = match(`/${kind}s/:id`, path)))
      return <ActorPage key={`${kind}/${params.id}`} kind={kind} id={params.id} />;
  }
  return (
    <div className="page">
      <h1>Not found</h1>
      <p>
        Nothing at <code>{path}</code>. <Link href="/flows">Go to the flows</Link>.
      </p>
    </div>
  );
}

/** Each topbar entry and the paths it stands for: Connections holds sources and destinations too. */
const NAV = [
  { href: '/', label: 'Dashboard', sections: [] as string[] },
  { href: '/flows', label: 'Flows', sections: ['/flows'] },
  { href: '/executions', label: 'Executions', sections: ['/executions'] },
  { href: '/logs', label: 'Logs', sections: ['/logs'] },
  { href: '/triggers', label: 'Triggers', sections: ['/triggers'] },
  { href: '/namespaces', label: 'Namespaces', sections: ['/namespaces'] },
  { href: '/connections', label: 'Connections', sections: DATA_SECTIONS },
  { href: '/settings/notifications', label: 'Notifications', sections: ['/settings'] },
];

const isIn = (path: string, section: string) => path === section || path.startsWith(`${section}/`);

export function App() {
  const { path } = useLocation();
  const loginRequired = useSyncExternalStore(loginState.subscribe, loginState.get);
  const theme = useTheme();
  if (loginRequired) return <LoginPage />;
  return (
    <div className="shell">
      <header className="topbar">
        <Link href="/" className="brand">
          Sluice
        </Link>
        <nav>
          {NAV.map((item) => (
            <Link
              key={item.href}
              href={item.href}
              className={
                item.sections.some((section) => isIn(path, section)) || path === item.href
                  ? 'nav-link active'
                  : 'nav-link'
              }
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="topbar-actions">
          <button
            className="icon-button"
            onClick={toggleTheme}
            title={`Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`}
            aria-label="Toggle theme"
          >
            {theme === 'dark' ? '☀' : '☾'}
          </button>
          {authorization() && (
            <button className="link-button" onClick={logout}>
              Log out
            </button>
          )}
        </div>
      </header>
      <main>
        <Suspense fallback={<div className="page muted">Loading…</div>}>{page(path)}</Suspense>
      </main>
    </div>
  );
}
