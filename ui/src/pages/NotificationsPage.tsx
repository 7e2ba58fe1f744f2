import { NotificationSettingsForm } from '../components/NotificationSettingsForm';
import { CONNECTION_EVENTS } from './ConnectionPage';

/** The installation's notification settings: where every connection's and flow's events go unless
 * a connection or a flow routes them itself. */
export function NotificationsPage() {
  return (
    <div className="page">
      <div className="page-header">
        <h1>Notifications</h1>
      </div>
      <NotificationSettingsForm
        path="/api/v1/notifications/settings"
        events={[...CONNECTION_EVENTS, 'sendOnFlowFailure', 'sendOnFlowWarning']}
        note="For every connection and flow, unless one routes an event itself. Webhook URLs are stored encrypted and shown masked."
      />
    </div>
  );
}
