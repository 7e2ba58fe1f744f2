// The three streams. Record `id` n of every stream was last updated at EPOCH + n seconds, so
// `updated_at` grows with `id` and an incremental read resumes by arithmetic instead of by scanning.
import type { AirbyteStream, JsonObject } from '../../protocol/messages.js';
import { type Random, between, pick, recordRandom } from './random.js';
import { isoSeconds } from './timestamps.js';

const EPOCH = Date.UTC(2024, 0, 1);
const STEP_MS = 1000;
const DAY_MS = 86_400_000;

export function updatedAt(id: number): string {
  return isoSeconds(EPOCH + id * STEP_MS);
}

/** The first id whose `updated_at` is after the cursor (1 when the cursor is before every record). */
export function firstIdAfter(cursor: string): number {
  const ms = Date.parse(cursor);
  if (Number.isNaN(ms)) return 1;
  return Math.max(1, Math.floor((ms - EPOCH) / STEP_MS) + 1);
}

export interface FakeStream {
  name: string;
  schema: JsonObject;
  /** The record's `data` as JSON text, written directly: building an object only for JSON.stringify
   * took most of a read's time. `count` is each stream's size: references point into 1..count. */
  json(seed: number, id: number, count: number): string;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const DOMAINS = ['example.com', 'example.org', 'example.net'];
const OCCUPATIONS = ['engineer', 'teacher', 'nurse', 'farmer', 'designer', 'pilot', 'chef', 'librarian'];
const LANGUAGES = ['English', 'French', 'German', 'Spanish', 'Japanese', 'Swahili', 'Portuguese'];
const COUNTRIES = ['US', 'FR', 'DE', 'ES', 'JP', 'KE', 'BR', 'IN', 'NZ'];
const CITIES = ['Springfield', 'Riverton', 'Lakeside', 'Fairview', 'Greenville', 'Bristol', 'Oakland'];
const STREETS = ['Main Street', 'Station Road', 'High Street', 'Elm Avenue', 'Harbour Lane', 'Mill Road'];
const GENDERS = ['female', 'male', 'non-binary'];
const BLOOD_TYPES = ['O+', 'O−', 'A+', 'A−', 'B+', 'B−', 'AB+', 'AB−'];
const MAKES = ['Acme', 'Globex', 'Initech', 'Umbrella', 'Hooli', 'Stark', 'Wayne', 'Wonka'];
const MODELS = ['One', 'Pro', 'Max', 'Lite', 'Air', 'Plus', 'Mini', 'Ultra', 'Classic'];

// Every word above is plain ASCII letters and spaces but the blood types' minus sign, none of which
// JSON escapes, so they go into the JSON text as they are.

const string = { type: 'string' };
const integer = { type: 'integer' };
const number = { type: 'number' };
const timestamp = { type: 'string', format: 'date-time', airbyte_type: 'timestamp_with_timezone' };
const nullableTimestamp = { ...timestamp, type: ['null', 'string'] };

function objectSchema(properties: JsonObject): JsonObject {
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties };
}

function createdBefore(random: Random, id: number): string {
  return isoSeconds(EPOCH + id * STEP_MS - between(random, 1, 365) * DAY_MS);
}

const users: FakeStream = {
  name: 'users',
  schema: objectSchema({
    id: integer,
    created_at: timestamp,
    updated_at: timestamp,
    name: string,
    email: string,
    age: integer,
    gender: string,
    language: string,
    occupation: string,
    nationality: string,
    height: number,
    weight: integer,
    blood_type: string,
    telephone: string,
    address: {
      type: 'object',
      properties: {
        street_number: string,
        street_name: string,
        city: string,
        postal_code: string,
        country_code: string,
      },
    },
  }),
  json(seed, id) {
    const random = recordRandom(seed, 1, id);
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const email = `${first.toLowerCase()}.${last.toLowerCase()}${id}@${pick(random, DOMAINS)}`;
    return (
      `{"id":${id},"created_at":"${createdBefore(random, id)}","updated_at":"${updatedAt(id)}",` +
      `"name":"${first} ${last}","email":"${email}","age":${between(random, 18, 90)},` +
      `"gender":"${pick(random, GENDERS)}","language":"${pick(random, LANGUAGES)}",` +
      `"occupation":"${pick(random, OCCUPATIONS)}","nationality":"${pick(random, COUNTRIES)}",` +
      `"height":${between(random, 150, 200) / 100},"weight":${between(random, 45, 120)},` +
      `"blood_type":"${pick(random, BLOOD_TYPES)}",` +
      `"telephone":"+1-555-${String(between(random, 0, 9999)).padStart(4, '0')}",` +
      `"address":{"street_number":"${between(random, 1, 999)}","street_name":"${pick(random, STREETS)}",` +
      `"city":"${pick(random, CITIES)}","postal_code":"${between(random, 10000, 99999)}",` +
      `"country_code":"${pick(random, COUNTRIES)}"}}`
    );
  },
};

const products: FakeStream = {
  name: 'products',
  schema: objectSchema({
    id: integer,
    make: string,
    model: string,
    year: integer,
    price: number,
    created_at: timestamp,
    updated_at: timestamp,
  }),
  json(seed, id) {
    const random = recordRandom(seed, 2, id);
    return (
      `{"id":${id},"make":"${pick(random, MAKES)}","model":"${pick(random, MODELS)}",` +
      `"year":${between(random, 1990, 2024)},"price":${between(random, 100, 99_999) / 100},` +
      `"created_at":"${createdBefore(random, id)}","updated_at":"${updatedAt(id)}"}`
    );
  },
};

const purchases: FakeStream = {
  name: 'purchases',
  schema: objectSchema({
    id: integer,
    user_id: integer,
    product_id: integer,
    created_at: timestamp,
    updated_at: timestamp,
    added_to_cart_at: nullableTimestamp,
    purchased_at: nullableTimestamp,
    returned_at: nullableTimestamp,
  }),
  json(seed, id, count) {
    const random = recordRandom(seed, 3, id);
    const created = EPOCH + id * STEP_MS - between(random, 2, 365) * DAY_MS;
    const userId = between(random, 1, count);
    const productId = between(random, 1, count);
    const addedToCart = isoSeconds(created + between(random, 0, 3600) * 1000);
    const purchased = random() < 0.7;
    const returned = purchased && random() < 0.1;
    return (
      `{"id":${id},"user_id":${userId},"product_id":${productId},"created_at":"${isoSeconds(created)}",` +
      `"updated_at":"${updatedAt(id)}","added_to_cart_at":"${addedToCart}",` +
      `"purchased_at":${purchased ? `"${isoSeconds(created + DAY_MS)}"` : 'null'},` +
      `"returned_at":${returned ? `"${isoSeconds(created + 7 * DAY_MS)}"` : 'null'}}`
    );
  },
};

export const FAKE_STREAMS: readonly FakeStream[] = [users, products, purchases];

export function airbyteStream({ name, schema }: FakeStream): AirbyteStream {
  return {
    name,
    json_schema: schema,
    supported_sync_modes: ['full_refresh', 'incremental'],
    source_defined_cursor: true,
    default_cursor_field: ['updated_at'],
    source_defined_primary_key: [['id']],
    is_resumable: true,
  };
}
