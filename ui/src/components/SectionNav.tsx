import { useLocation } from '../router';
import { Link } from './Link';

const SECTIONS = [
  { href: '/connections', label: 'Connections' },
  { href: '/sources', label: 'Sources' },
  { href: '/destinations', label: 'Destinations' },
];

/** The top-level pages that belong to data movement (the topbar has one entry for the three). */
export const DATA_SECTIONS = SECTIONS.map((s) => s.href);

export function SectionNav() {
  const { path } = useLocation();
  return (
    <nav className="tabs" aria-label="Connections, sources and destinations">
      {SECTIONS.map((s) => (
        <Link
          key={s.href}
          href={s.href}
          className={path === s.href || path.startsWith(`${s.href}/`) ? 'tab active' : 'tab'}
          aria-current={path === s.href ? 'page' : undefined}
        >
          {s.label}
        </Link>
      ))}
    </nav>
  );
}
