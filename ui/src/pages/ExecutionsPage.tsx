import { ExecutionsTable } from '../components/ExecutionsTable';

export function ExecutionsPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Executions</h1>
      </div>
      <ExecutionsTable />
    </div>
  );
}
