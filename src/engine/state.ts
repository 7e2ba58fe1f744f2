// Execution and task-run states, Kestra's names (part of the execution-document contract).

export const STATES = [
  'CREATED',
  'QUEUED',
  'RUNNING',
  'PAUSED',
  'RESTARTED',
  'KILLING',
  'RETRYING',
  'RETRIED',
  'SUCCESS',
  'WARNING',
  'FAILED',
  'KILLED',
  'CANCELLED',
  'SKIPPED',
] as const;
export type StateType = (typeof STATES)[number];

/** The states an execution or task run ends in (Kestra's State.Type.terminatedTypes()). */
export const TERMINAL_STATES: readonly StateType[] = [
  'SUCCESS',
  'WARNING',
  'FAILED',
  'KILLED',
  'CANCELLED',
  'SKIPPED',
  'RETRIED',
];
const TERMINAL: ReadonlySet<StateType> = new Set(TERMINAL_STATES);

export function isTerminal(state: StateType): boolean {
  return TERMINAL.has(state);
}

/** A failure that stops a sequence: FAILED, KILLED and CANCELLED. */
export function isFailure(state: StateType): boolean {
  return state === 'FAILED' || state === 'KILLED' || state === 'CANCELLED';
}

export interface StateHistory {
  state: StateType;
  date: string;
}

export interface State {
  current: StateType;
  histories: StateHistory[];
  startDate: string;
  endDate?: string;
  duration?: string;
}

export function newState(now: Date = new Date(), initial: StateType = 'CREATED'): State {
  const date = now.toISOString();
  return { current: initial, histories: [{ state: initial, date }], startDate: date };
}

/** Moves a state forward in place, recording the transition; a no-op when already there. */
export function transition(state: State, to: StateType, now: Date = new Date()): void {
  if (state.current === to) return;
  const date = now.toISOString();
  state.current = to;
  state.histories.push({ state: to, date });
  if (isTerminal(to)) {
    state.endDate = date;
    state.duration = isoDuration(Date.parse(date) - Date.parse(state.startDate));
  } else {
    state.endDate = undefined;
    state.duration = undefined;
  }
}

function isoDuration(ms: number): string {
  return `PT${(Math.max(0, ms) / 1000).toFixed(3).replace(/\.?0+$/, '')}S`;
}

/** The worst of several terminal states, as a parent reports its children: any failure wins, then
 * WARNING, else SUCCESS (SKIPPED children count as success). */
export function worstState(states: Iterable<StateType>): StateType {
  let worst: StateType = 'SUCCESS';
  for (const s of states) {
    if (s === 'KILLED') return 'KILLED';
    if (s === 'FAILED' || s === 'CANCELLED') worst = 'FAILED';
    else if (s === 'WARNING' && worst === 'SUCCESS') worst = 'WARNING';
  }
  return worst;
}
