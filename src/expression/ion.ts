// Amazon Ion text, the format Kestra stores task files in: `toIon` writes plain data as Kestra's Jackson
// writer does (`{name:"ada",score:1.5e0}`), `fromIon` reads any Ion text value back into plain data.
import { load } from 'ion-js';
import { Fault } from './errors.js';
import { dateText, type TextStyle, writeCompact } from './output.js';
import { isDate } from './values.js';

const BARE_SYMBOL = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const KEYWORDS = new Set(['null', 'true', 'false', 'nan']);

/** Ion floats always carry an exponent: 1.5 is `1.5e0`, 1e21 `1e21`. */
function ionFloat(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (!Number.isFinite(value)) return value > 0 ? '+inf' : '-inf';
  const text = String(value);
  return text.includes('e') ? text.replace('e+', 'e') : `${text}e0`;
}

function symbol(name: string): string {
  if (BARE_SYMBOL.test(name) && !KEYWORDS.has(name)) return name;
  const quoted = JSON.stringify(name).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'");
  return `'${quoted}'`;
}

const ION_STYLE: TextStyle = {
  what: 'Ion',
  key: symbol,
  scalar(item) {
    if (item === null || item === undefined) return 'null';
    switch (typeof item) {
      case 'string':
        return JSON.stringify(item);
      case 'number':
        return Number.isSafeInteger(item) ? String(item) : ionFloat(item);
      case 'boolean':
        return item ? 'true' : 'false';
    }
    return isDate(item) ? dateText(item) : undefined;
  },
};

export function toIon(value: unknown, maxLength: number): string {
  return writeCompact(value, maxLength, ION_STYLE);
}

/** The first value of an Ion text as plain data: structs become maps, s-expressions lists, timestamps
 * ISO strings, blobs base64 text; annotations are dropped. */
export function fromIon(text: string): unknown {
  let value: unknown;
  try {
    value = load(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.slice(0, 120) : 'unreadable';
    throw new Fault(`function \`fromIon\` got invalid Ion: ${reason}`);
  }
  // ion-js' own values know their JSON form (toJSON); they are the library's objects, never the template's.
  return value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}
