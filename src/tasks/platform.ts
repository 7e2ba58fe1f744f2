import type { LogLevel } from './types.js';

// What the tasks that look at the platform itself (Kestra's log.Fetch, execution.Count, Resume,
// PurgeExecutions, log.PurgeLogs, trigger.Toggle) need from it. The worker is given an implementation at start-up;
// task code never sees a database.

export interface StoredLog {
  namespace: string;
  flowId: string;
  executionId: string;
  taskId: string | null;
  taskRunId: string | null;
  attempt: number | null;
  level: LogLevel;
  message: string;
  timestamp: string;
}

export interface ExecutionCount {
  namespace: string;
  flowId: string;
  count: number;
}

export interface PurgeExecutionsFilter {
  namespace?: string;
  flowId?: string;
  startDate?: string;
  endDate: string;
  states?: string[];
  purgeExecution: boolean;
  purgeLog: boolean;
  purgeStorage: boolean;
}

export interface PurgeLogsFilter {
  namespace?: string;
  flowId?: string;
  executionId?: string;
  levels?: LogLevel[];
  startDate?: string;
  endDate: string;
}

export interface TaskPlatform {
  /** The log lines of one execution of one flow at `minLevel` and above (of the given task ids only,
   * when given), in the order they were written. */
  executionLogs(query: {
    namespace: string;
    flowId: string;
    executionId: string;
    taskIds?: string[];
    minLevel: LogLevel;
  }): Promise<StoredLog[]>;
  /** Executions started in [startDate, endDate] (and in `states` when given), counted per flow, for
   * the listed flows and for every flow of the listed namespaces. */
  countExecutions(query: {
    flows?: Array<{ namespace: string; flowId: string }>;
    namespaces?: string[];
    states?: string[];
    startDate: string;
    endDate: string;
  }): Promise<ExecutionCount[]>;
  /** Resumes a paused execution, as the API does; refuses one that is not paused. */
  resumeExecution(executionId: string, inputs: Record<string, unknown>): Promise<void>;
  /** Deletes ended executions started in the window, with their logs and files as asked. */
  purgeExecutions(
    filter: PurgeExecutionsFilter,
  ): Promise<{ executionsCount: number; logsCount: number; storagesCount: number }>;
  /** Deletes log lines written in the window; returns how many. */
  purgeLogs(filter: PurgeLogsFilter): Promise<number>;
  /** Enables or disables a scheduled trigger of a flow; refuses an unknown flow or trigger. */
  toggleTrigger(
    key: { namespace: string; flowId: string; triggerId: string },
    enabled: boolean,
  ): Promise<void>;
}
