import { useEffect, useState } from 'react';
import type { Connection } from '../types';

type Schedule = Connection['schedule'];
type Describe = (expression: string) => string;

let loaded: Promise<Describe> | undefined;

/** cronstrue, loaded with the first schedule shown: few pages need it. */
function useCronDescriber(): Describe | undefined {
  const [describe, setDescribe] = useState<Describe>();
  useEffect(() => {
    loaded ??= import('cronstrue').then(
      ({ default: cronstrue }) =>
        (expression: string) =>
          cronstrue.toString(expression, { use24HourTimeFormat: true, throwExceptionOnParseError: true }),
    );
    let live = true;
    void loaded.then((d) => live && setDescribe(() => d));
    return () => {
      live = false;
    };
  }, []);
  return describe;
}

/** A schedule in words: "Manual", or the cron expression's plain-language reading. */
export function ScheduleText({ schedule }: { schedule: Schedule }) {
  const describe = useCronDescriber();
  if (schedule.scheduleType === 'manual') return <>Manual</>;
  const expression = schedule.cronExpression ?? '';
  let text = expression;
  try {
    if (describe) text = describe(expression);
  } catch {
    // an expression cronstrue cannot read is shown as written
  }
  return <span title={expression}>{text}</span>;
}

const EXAMPLES: Array<[string, string]> = [
  ['0 * * * *', 'hourly'],
  ['0 3 * * *', 'daily at 03:00'],
  ['0 0 3 ? * MON-FRI', 'weekdays at 03:00 (Quartz, seconds first)'],
  ['*/15 * * * *', 'every 15 minutes'],
];

/** Manual, or cron with the expression read back in plain language as it is typed. */
export function ScheduleField({
  value,
  onChange,
}: {
  value: Schedule;
  onChange: (schedule: Schedule) => void;
}) {
  const describe = useCronDescriber();
  const expression = value.cronExpression ?? '';
  let reading: { text?: string; error?: string } = {};
  if (value.scheduleType === 'cron' && describe && expression.trim() !== '') {
    try {
      reading = { text: describe(expression) };
    } catch (error) {
      reading = { error: String(error).replace(/^Error: /, '') };
    }
  }
  return (
    <div className="field">
      <label htmlFor="schedule-type">Schedule</label>
      <div className="schedule">
        <select
          id="schedule-type"
          value={value.scheduleType}
          onChange={(e) =>
            onChange(
              e.target.value === 'cron'
                ? { scheduleType: 'cron', cronExpression: expression || '0 3 * * *' }
                : { scheduleType: 'manual' },
            )
          }
        >
          <option value="manual">Manual</option>
          <option value="cron">Cron</option>
        </select>
        {value.scheduleType === 'cron' && (
          <input
            className="mono"
            aria-label="Cron expression"
            list="cron-examples"
            value={expression}
            onChange={(e) => onChange({ scheduleType: 'cron', cronExpression: e.target.value })}
          />
        )}
      </div>
      <datalist id="cron-examples">
        {EXAMPLES.map(([cron, what]) => (
          <option key={cron} value={cron}>
            {what}
          </option>
        ))}
      </datalist>
      {value.scheduleType === 'cron' && (
        <div className="small" data-testid="cron-description" role="status">
          {reading.error ? (
            <span className="error-text">{reading.error}</span>
          ) : (
            <span className="muted">
              {reading.text ?? 'Five fields, or six or seven with seconds first (Quartz).'}
            </span>
          )}
        </div>
      )}
      {value.scheduleType === 'manual' && (
        <div className="muted small">Runs only when you press “Sync now”.</div>
      )}
    </div>
  );
}
