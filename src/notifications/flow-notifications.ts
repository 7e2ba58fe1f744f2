// Notifications for flows, without a task in them: an execution that ends FAILED or WARNING is
// notified where the flow's settings (else the installation's) route sendOnFlowFailure or
// sendOnFlowWarning.
import type { Execution } from '../engine/execution.js';
import type { Notification } from './messages.js';
import { flowScope, type NotificationEvent } from './settings.js';

export function flowNotification(
  execution: Execution,
): { event: NotificationEvent; scopes: string[]; notification: Notification } | undefined {
  const state = execution.state.current;
  const event: NotificationEvent | undefined =
    state === 'FAILED' ? 'sendOnFlowFailure' : state === 'WARNING' ? 'sendOnFlowWarning' : undefined;
  if (!event) return undefined;
  const failed = execution.taskRunList.filter((tr) => tr.state.current === state && tr.error);
  const message = failed.length > 0 ? `${failed[0].taskId}: ${failed[0].error}` : undefined;
  return {
    event,
    scopes: [flowScope(execution.namespace, execution.flowId)],
    notification: {
      event,
      title: `Execution ${state}: ${execution.namespace}.${execution.flowId}`,
      message,
      facts: {
        executionId: execution.id,
        state,
        tasks: execution.taskRunList.length,
      },
      flow: { namespace: execution.namespace, id: execution.flowId, executionId: execution.id, state },
      timestamp: execution.state.histories.at(-1)?.date ?? new Date().toISOString(),
    },
  };
}
