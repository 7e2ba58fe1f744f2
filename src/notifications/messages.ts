// What a notification says, and the two bodies it is sent as: Sluice's plain JSON for `webhook`
// channels, Slack's incoming-webhook message ({text, blocks}) for `slack` ones.

export interface Notification {
  /** the event, in the names of the settings that route it (sendOnFailure…) */
  event: string;
  /** one line: what happened to what */
  title: string;
  /** more detail (the failure's message, the schema change) */
  message?: string;
  /** short facts, shown as fields (job id, rows, duration…) */
  facts: Record<string, string | number | boolean | null>;
  /** the subject: a connection or a flow execution */
  connection?: { id: string; name: string };
  flow?: { namespace: string; id: string; executionId: string; state: string };
  /** a link into the UI, when the installation knows its address */
  link?: string;
  timestamp: string;
}

export function webhookBody(n: Notification): Record<string, unknown> {
  return { ...n };
}

/** Slack's mrkdwn needs &, < and > escaped. */
const slackText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function slackBody(n: Notification): Record<string, unknown> {
  const facts = Object.entries(n.facts).filter(([, v]) => v !== null && v !== '');
  return {
    text: n.message ? `${n.title}: ${n.message}` : n.title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${slackText(n.title)}*` } },
      ...(n.message
        ? [{ type: 'section', text: { type: 'mrkdwn', text: slackText(n.message.slice(0, 2900)) } }]
        : []),
      ...(facts.length > 0
        ? [
            {
              type: 'section',
              fields: facts
                .slice(0, 10)
                .map(([k, v]) => ({ type: 'mrkdwn', text: `*${slackText(k)}*\n${slackText(String(v))}` })),
            },
          ]
        : []),
      ...(n.link
        ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: `<${n.link}|Open in Sluice>` }] }]
        : []),
    ],
  };
}
