export const TEMPLATE_DATABASE = 'sluice_test_template';

/** The same server, another database. */
export function databaseUrl(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Where CREATE/DROP DATABASE run: the database the URL names. */
export function adminUrl(url: string): string {
  return url;
}
