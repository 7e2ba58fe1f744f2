// Public holidays of a bounded set of countries (and German states), as rules rather than a library:
// Kestra uses Jollyday's full data set, which has no npm equivalent under a licence and size we want.
// Rules: 'MM-DD' a fixed date; 'E±N' N days from Easter Sunday (Gregorian); 'MM/N/DOW' the N-th
// (-1 = last) day of week DOW (1 = Monday … 7 = Sunday) of month MM; a '>=YYYY' suffix limits a rule
// to the years it has existed. Substitute days (a holiday moved off a weekend) are not included.
// docs/flows.md lists the countries; a country not listed is a validation error.

const EASTER_MONDAY = 'E+1';
const ASCENSION = 'E+39';
const WHIT_MONDAY = 'E+50';
const CORPUS_CHRISTI = 'E+60';

const COUNTRIES: Record<string, { national: string[]; subdivisions?: Record<string, string[]> }> = {
  FR: {
    national: [
      '01-01',
      EASTER_MONDAY,
      '05-01',
      '05-08',
      ASCENSION,
      WHIT_MONDAY,
      '07-14',
      '08-15',
      '11-01',
      '11-11',
      '12-25',
    ],
  },
  DE: {
    national: ['01-01', 'E-2', EASTER_MONDAY, '05-01', ASCENSION, WHIT_MONDAY, '10-03', '12-25', '12-26'],
    subdivisions: {
      BW: ['01-06', CORPUS_CHRISTI, '11-01'],
      BY: ['01-06', CORPUS_CHRISTI, '11-01'],
      BE: ['03-08>=2019'],
      BB: ['E+0', 'E+49', '10-31'],
      HB: ['10-31>=2018'],
      HH: ['10-31>=2018'],
      HE: [CORPUS_CHRISTI],
      MV: ['10-31', '03-08>=2023'],
      NI: ['10-31>=2018'],
      NW: [CORPUS_CHRISTI, '11-01'],
      RP: [CORPUS_CHRISTI, '11-01'],
      SL: [CORPUS_CHRISTI, '08-15', '11-01'],
      SN: ['10-31', 'BUSS'],
      ST: ['01-06', '10-31'],
      SH: ['10-31>=2018'],
      TH: ['10-31', '09-20>=2019'],
    },
  },
  US: {
    national: [
      '01-01',
      '01/3/1',
      '02/3/1',
      '05/-1/1',
      '06-19>=2021',
      '07-04',
      '09/1/1',
      '10/2/1',
      '11-11',
      '11/4/4',
      '12-25',
    ],
  },
  GB: { national: ['01-01', 'E-2', EASTER_MONDAY, '05/1/1', '05/-1/1', '08/-1/1', '12-25', '12-26'] },
  IT: {
    national: [
      '01-01',
      '01-06',
      EASTER_MONDAY,
      '04-25',
      '05-01',
      '06-02',
      '08-15',
      '11-01',
      '12-08',
      '12-25',
      '12-26',
    ],
  },
  ES: { national: ['01-01', '01-06', 'E-2', '05-01', '08-15', '10-12', '11-01', '12-06', '12-08', '12-25'] },
  NL: {
    national: [
      '01-01',
      'E+0',
      EASTER_MONDAY,
      '04-27>=2014',
      ASCENSION,
      'E+49',
      WHIT_MONDAY,
      '12-25',
      '12-26',
    ],
  },
  BE: {
    national: [
      '01-01',
      EASTER_MONDAY,
      '05-01',
      ASCENSION,
      WHIT_MONDAY,
      '07-21',
      '08-15',
      '11-01',
      '11-11',
      '12-25',
    ],
  },
  AT: {
    national: [
      '01-01',
      '01-06',
      EASTER_MONDAY,
      '05-01',
      ASCENSION,
      WHIT_MONDAY,
      CORPUS_CHRISTI,
      '08-15',
      '10-26',
      '11-01',
      '12-08',
      '12-25',
      '12-26',
    ],
  },
};

/** Without a country Kestra takes the JVM's default locale; ours is fixed and documented. */
export const DEFAULT_COUNTRY = 'US';

export const HOLIDAY_COUNTRIES = Object.keys(COUNTRIES);

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm), as [month, day]. */
function easter(year: number): [number, number] {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  return [month, ((h + l - 7 * m + 114) % 31) + 1];
}

const utc = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day));
const isoDay = (date: Date) => ((date.getUTCDay() + 6) % 7) + 1;

function nthWeekday(year: number, month: number, n: number, dow: number): Date {
  if (n > 0) {
    const first = utc(year, month, 1);
    return utc(year, month, 1 + ((dow - isoDay(first) + 7) % 7) + (n - 1) * 7);
  }
  const last = utc(year, month + 1, 0);
  return utc(year, month, last.getUTCDate() - ((isoDay(last) - dow + 7) % 7));
}

function ruleDate(rule: string, year: number): Date | undefined {
  const [body, since] = rule.split('>=');
  if (since && year < Number(since)) return undefined;
  if (body === 'BUSS') {
    // Buß- und Bettag: the Wednesday before 23 November
    const d = utc(year, 11, 22);
    return utc(year, 11, 22 - ((isoDay(d) - 3 + 7) % 7));
  }
  if (body.startsWith('E')) {
    const [month, day] = easter(year);
    return utc(year, month, day + Number(body.slice(1)));
  }
  if (body.includes('/')) {
    const [month, n, dow] = body.split('/').map(Number);
    return nthWeekday(year, month, n, dow);
  }
  const [month, day] = body.split('-').map(Number);
  return utc(year, month, day);
}

export function knownCountry(country: string): boolean {
  return country in COUNTRIES;
}

export function knownSubdivision(country: string, subdivision: string): boolean {
  return subdivision in (COUNTRIES[country]?.subdivisions ?? {});
}

/** Whether a calendar date 'YYYY-MM-DD' is a public holiday of the country (and subdivision). */
export function isHoliday(localDate: string, country: string, subdivision?: string): boolean {
  const spec = COUNTRIES[country];
  if (!spec)
    throw new Error(
      `no public holidays known for country '${country}' (known: ${HOLIDAY_COUNTRIES.join(', ')})`,
    );
  const regional = subdivision === undefined ? [] : spec.subdivisions?.[subdivision];
  if (!regional) throw new Error(`no public holidays known for subdivision '${subdivision}' of ${country}`);
  const year = Number(localDate.slice(0, 4));
  return [...spec.national, ...regional].some(
    (rule) => ruleDate(rule, year)?.toISOString().slice(0, 10) === localDate,
  );
}
