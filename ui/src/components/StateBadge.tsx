import type { StateType } from '../types';

export function StateBadge({ state }: { state: StateType }) {
  return (
    <span className={`badge state-${state}`} data-state={state}>
      {state}
    </span>
  );
}
