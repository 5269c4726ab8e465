/**
 * The PDF417 payload on the back of North-American driving licences and ID cards: the AAMVA DL/ID
 * Card Design Standard, versions 1 (2000) to 10 (2020). Pure: text in, fields out.
 *
 *   @ LF RS CR "ANSI " IIN(6) version(2) [jurisdiction version(2), from version 2] entries(2)
 *   { subfile type(2) offset(4) length(4) } × entries
 *   "DL"|"ID" DAQ… LF DCS… LF … CR            ← one subfile; Z… subfiles are the jurisdiction's own
 *
 * Issuers do not all follow the header to the letter (offsets that miss by a few bytes, a file
 * separator for the record separator, `AAMVA` for `ANSI `, the first element on the header's line),
 * so the subfile is found by its designator when the offset misses. The data itself is exact: PDF417
 * carries Reed-Solomon error correction, so a decoded barcode is what the issuer encoded.
 */

export interface AamvaAddress {
  /** DAG, then DAH on a second line when present. */
  street: string;
  city?: string;
  /** DAJ: the state's (USPS) or province's two-letter code. */
  state: string;
  /** DAK: US ZIP codes as `12345` or `12345-6789` (the standard pads unknown digits with zeros). */
  postalCode?: string;
}

export interface AamvaData {
  /** `DL` a driving licence, `ID` an identification card (the subfile read). */
  subfile: 'DL' | 'ID';
  /** Issuer Identification Number: six digits naming the issuing jurisdiction (636014 is California). */
  iin: string;
  /** AAMVA version of the payload, 1–10 (0 for pre-standard payloads). */
  version: number;
  /** DAQ. */
  documentNumber: string;
  /** DCS (DAB, or the first part of DAA, in version 1). */
  lastName: string;
  /** DAC (DCT's first name in versions 2–3); empty when the holder has a single name. */
  firstName: string;
  /** DAD, or what follows the first name in DCT. */
  middleName?: string;
  /** DBB, YYYY-MM-DD. */
  birthDate: string;
  /** DBA, YYYY-MM-DD. */
  expirationDate: string;
  /** DBD, YYYY-MM-DD. */
  issueDate?: string;
  /** DBC: 1 male, 2 female, 9 not specified (version 1 writes M or F). */
  sex?: 'M' | 'F' | 'X';
  /** DAJ: two-letter state or province code of the holder's address. */
  state: string;
  /** DCG, ISO 3166-1 alpha-3 (`USA`, `CAN`); inferred from the province code before version 4. */
  country: string;
  address?: AamvaAddress;
  /** DDE/DDF/DDG: some name was cut to fit (the printed or MRZ name may be longer). */
  namesTruncated?: boolean;
  /** Every element of the subfile, by its three-letter id, as encoded (for jurisdiction extras). */
  elements: Record<string, string>;
}

const COMPLIANCE = '@';
const FILE_TYPES = ['ANSI ', 'AAMVA'] as const;
const SUBFILE_TYPES = ['DL', 'ID'] as const;
const CANADIAN_PROVINCES = new Set([
  'AB',
  'BC',
  'MB',
  'NB',
  'NL',
  'NS',
  'NT',
  'NU',
  'ON',
  'PE',
  'QC',
  'SK',
  'YT',
]);
/** The header may sit a few characters into the text (a scanner's prefix, a stray byte). */
const MAX_HEADER_START = 8;

interface Designator {
  type: string;
  offset: number;
  length: number;
}

interface Header {
  iin: string;
  version: number;
  designators: Designator[];
  /** Where the subfile designators end: subfiles start at or after it. */
  end: number;
  /** Index of `@` in the text: offsets count from it. */
  origin: number;
}

/** The AAMVA fields of a barcode's text, or undefined when it is not an AAMVA DL/ID payload. */
export function parseAamva(text: string): AamvaData | undefined {
  const header = parseHeader(text);
  if (!header) return undefined;
  const subfile = findSubfile(text, header);
  if (!subfile) return undefined;
  return fieldsOf(subfile.type, subfile.elements, header);
}

function parseHeader(text: string): Header | undefined {
  const origin = text.indexOf(COMPLIANCE);
  if (origin < 0 || origin > MAX_HEADER_START) return undefined;
  // Compliance indicator, then three separator characters (LF, RS, CR in the standard), then the type.
  let typeAt = -1;
  for (const fileType of FILE_TYPES) {
    const at = text.indexOf(fileType, origin + 1);
    if (at >= 0 && at <= origin + 5 && (typeAt < 0 || at < typeAt)) typeAt = at;
  }
  if (typeAt < 0) return undefined;
  let at = typeAt + 5;
  const digits = (count: number): string | undefined => {
    const value = text.slice(at, at + count);
    if (!new RegExp(`^\\d{${count}}$`).test(value)) return undefined;
    at += count;
    return value;
  };
  const iin = digits(6);
  const versionText = digits(2);
  if (iin === undefined || versionText === undefined) return undefined;
  const version = Number(versionText);
  // Version 1 has no jurisdiction version; some issuers omit it later too, which the count tells apart.
  const afterVersion = at;
  const designators = readDesignators(text, version >= 2 ? afterVersion + 2 : afterVersion);
  const fallback = version >= 2 ? readDesignators(text, afterVersion) : undefined;
  const chosen = designators ?? fallback;
  if (chosen) return { iin, version, origin, ...chosen };
  // No readable designators: the subfile is searched for from just after the version.
  return { iin, version, origin, designators: [], end: afterVersion };
}

function readDesignators(text: string, from: number): { designators: Designator[]; end: number } | undefined {
  const countText = text.slice(from, from + 2);
  if (!/^\d{2}$/.test(countText)) return undefined;
  const count = Number(countText);
  if (count === 0) return undefined;
  const designators: Designator[] = [];
  let at = from + 2;
  for (let index = 0; index < count; index++) {
    const match = /^([A-Z]{2})(\d{4})(\d{4})/.exec(text.slice(at, at + 10));
    if (!match) return undefined;
    designators.push({ type: match[1] ?? '', offset: Number(match[2]), length: Number(match[3]) });
    at += 10;
  }
  return { designators, end: at };
}

interface Subfile {
  type: 'DL' | 'ID';
  elements: Map<string, string>;
}

function findSubfile(text: string, header: Header): Subfile | undefined {
  const types = header.designators
    .map((designator) => designator.type)
    .filter((type): type is 'DL' | 'ID' => (SUBFILE_TYPES as readonly string[]).includes(type));
  for (const designator of header.designators) {
    if (designator.type !== 'DL' && designator.type !== 'ID') continue;
    const start = header.origin + designator.offset;
    if (start >= header.end && text.startsWith(designator.type, start)) {
      const body = text.slice(start + 2, start + designator.length);
      const elements = elementsOf(body);
      if (elements.has('DAQ')) return { type: designator.type, elements };
    }
  }
  // The offset missed (or there were no designators): the subfile starts with its type, then an element.
  for (const type of types.length > 0 ? types : SUBFILE_TYPES) {
    const pattern = new RegExp(`${type}(?=D[A-Z]{2})`, 'g');
    pattern.lastIndex = header.end;
    for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
      const elements = elementsOf(text.slice(match.index + 2));
      if (elements.has('DAQ')) return { type, elements };
    }
  }
  return undefined;
}

/** Elements up to the segment terminator (CR): three-letter id, value, data element separator (LF). */
function elementsOf(body: string): Map<string, string> {
  const end = body.indexOf('\r');
  const elements = new Map<string, string>();
  for (const line of (end >= 0 ? body.slice(0, end) : body).split('\n')) {
    const id = line.slice(0, 3);
    if (!/^D[A-Z]{2}$/.test(id) || elements.has(id)) continue;
    elements.set(id, line.slice(3).trim());
  }
  return elements;
}

function fieldsOf(type: 'DL' | 'ID', elements: Map<string, string>, header: Header): AamvaData | undefined {
  const value = (id: string) => {
    const found = elements.get(id);
    return found && !/^(NONE|UNAVL|UNAVAILABLE)$/i.test(found) ? found : undefined;
  };
  const documentNumber = value('DAQ');
  const names = namesOf(value);
  const birthDate = aamvaDate(value('DBB'));
  const expirationDate = aamvaDate(value('DBA'));
  const state = value('DAJ')?.toUpperCase();
  if (!documentNumber || !names || !birthDate || !expirationDate || !state || !/^[A-Z]{2}$/.test(state)) {
    return undefined;
  }
  const country = (value('DCG') ?? (CANADIAN_PROVINCES.has(state) ? 'CAN' : 'USA')).toUpperCase();
  const data: AamvaData = {
    subfile: type,
    iin: header.iin,
    version: header.version,
    documentNumber,
    lastName: names.lastName,
    firstName: names.firstName,
    birthDate,
    expirationDate,
    state,
    country,
    elements: Object.fromEntries(elements),
  };
  if (names.middleName) data.middleName = names.middleName;
  const issueDate = aamvaDate(value('DBD'));
  if (issueDate) data.issueDate = issueDate;
  const sex = SEX[value('DBC')?.toUpperCase() ?? ''];
  if (sex) data.sex = sex;
  const street = [value('DAG'), value('DAH')].filter(Boolean).join('\n');
  if (street) {
    const address: AamvaAddress = { street, state };
    const city = value('DAI');
    if (city) address.city = city;
    const postalCode = postalCodeOf(value('DAK'), country);
    if (postalCode) address.postalCode = postalCode;
    data.address = address;
  }
  if (['DDE', 'DDF', 'DDG'].some((id) => value(id)?.toUpperCase() === 'T')) data.namesTruncated = true;
  return data;
}

const SEX: Record<string, 'M' | 'F' | 'X'> = { '1': 'M', '2': 'F', '9': 'X', M: 'M', F: 'F', X: 'X' };

function namesOf(
  value: (id: string) => string | undefined,
): { lastName: string; firstName: string; middleName?: string } | undefined {
  const split = (full: string) => full.split(/[,$@]/).map((part) => part.trim());
  const lastName = value('DCS') ?? value('DAB');
  let firstName = value('DAC');
  let middleName = value('DAD');
  if (lastName && firstName === undefined) {
    // Versions 2 and 3: DCT holds the given names, the first one first.
    const given = value('DCT');
    if (given) {
      const [first = '', ...rest] = given.includes(',') ? split(given) : given.split(/\s+/);
      firstName = first;
      middleName ??= rest.filter(Boolean).join(' ') || undefined;
    }
  }
  if (lastName) return { lastName, firstName: firstName ?? '', ...(middleName ? { middleName } : {}) };
  // Version 1 may carry only the whole name: LAST,FIRST,MIDDLE.
  const full = value('DAA');
  if (!full) return undefined;
  const [last = '', first = '', ...rest] = split(full);
  if (!last) return undefined;
  const middle = rest.filter(Boolean).join(' ');
  return { lastName: last, firstName: first, ...(middle ? { middleName: middle } : {}) };
}

/**
 * MMDDCCYY (US) or CCYYMMDD (Canada, and version 1) to YYYY-MM-DD. The two never overlap: a month is
 * 01–12 and a century 19 or 20, so the value itself says which it is, whatever the issuer's country.
 */
export function aamvaDate(value: string | undefined): string | undefined {
  if (!value || !/^\d{8}$/.test(value)) return undefined;
  const head = Number(value.slice(0, 2));
  const [year, month, day] =
    head === 19 || head === 20
      ? [Number(value.slice(0, 4)), Number(value.slice(4, 6)), Number(value.slice(6, 8))]
      : [Number(value.slice(4, 8)), Number(value.slice(0, 2)), Number(value.slice(2, 4))];
  if (year < 1900 || year > 2199) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return undefined;
  }
  return date.toISOString().slice(0, 10);
}

function postalCodeOf(raw: string | undefined, country: string): string | undefined {
  if (!raw) return undefined;
  const compact = raw.replace(/[\s-]/g, '').toUpperCase();
  if (country === 'USA' && /^\d{5}(\d{4})?$/.test(compact)) {
    const plus4 = compact.slice(5);
    return plus4 && plus4 !== '0000' ? `${compact.slice(0, 5)}-${plus4}` : compact.slice(0, 5);
  }
  if (country === 'CAN' && /^[A-Z]\d[A-Z]\d[A-Z]\d$/.test(compact)) {
    return `${compact.slice(0, 3)} ${compact.slice(3)}`;
  }
  return raw.trim() || undefined;
}

// ── Composing payloads (for test barcodes) ─────────────────────────────────────────────────────────

/** What a test barcode carries: the data's own fields, the address flat, a sex given. */
export type AamvaPayloadFields = Pick<
  AamvaData,
  | 'iin'
  | 'version'
  | 'documentNumber'
  | 'lastName'
  | 'firstName'
  | 'middleName'
  | 'birthDate'
  | 'expirationDate'
  | 'issueDate'
  | 'state'
> &
  Partial<Pick<AamvaData, 'subfile'>> &
  Partial<Pick<AamvaAddress, 'street' | 'city' | 'postalCode'>> & {
    sex: NonNullable<AamvaData['sex']>;
    country: 'USA' | 'CAN';
  };

/**
 * A payload as the standard lays it out for `version`: the header, one subfile designator with a
 * correct offset and length, the elements. Dates are MMDDCCYY for the US and CCYYMMDD for Canada
 * (and for every version 1 payload); version 1 names are DAB/DAC and sex M/F; versions 2–3 DCT.
 */
export function composeAamva(fields: AamvaPayloadFields): string {
  const type = fields.subfile ?? 'DL';
  const canadianDates = fields.country === 'CAN' || fields.version === 1;
  const date = (iso: string) =>
    canadianDates ? iso.replace(/-/g, '') : `${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(0, 4)}`;
  const elements: [string, string][] = [];
  const put = (id: string, value: string | undefined) => {
    if (value !== undefined && value !== '') elements.push([id, value]);
  };
  if (type === 'DL') {
    put('DCA', 'C');
    put('DCB', 'NONE');
    put('DCD', 'NONE');
  }
  put('DBA', date(fields.expirationDate));
  if (fields.version === 1) {
    put('DAB', fields.lastName);
    put('DAC', fields.firstName);
    put('DAD', fields.middleName);
  } else if (fields.version <= 3) {
    put('DCS', fields.lastName);
    put('DCT', [fields.firstName, fields.middleName].filter(Boolean).join(','));
  } else {
    put('DCS', fields.lastName);
    put('DAC', fields.firstName);
    put('DAD', fields.middleName ?? 'NONE');
  }
  if (fields.issueDate) put('DBD', date(fields.issueDate));
  put('DBB', date(fields.birthDate));
  put(
    'DBC',
    fields.version === 1 ? (fields.sex === 'X' ? '' : fields.sex) : { M: '1', F: '2', X: '9' }[fields.sex],
  );
  put('DAY', 'BRO');
  put('DAU', fields.country === 'CAN' ? '175 cm' : '069 IN');
  put('DAG', fields.street);
  put('DAI', fields.city);
  put('DAJ', fields.state);
  put('DAK', fields.postalCode);
  put('DAQ', fields.documentNumber);
  put('DCF', `${fields.documentNumber}${fields.birthDate.replace(/-/g, '')}`);
  if (fields.version >= 2) put('DCG', fields.country);
  if (fields.version >= 4) {
    put('DDE', 'N');
    put('DDF', 'N');
    put('DDG', 'N');
  }
  const body = `${type}${elements.map(([id, value]) => `${id}${value}`).join('\n')}\r`;
  const version = String(fields.version).padStart(2, '0');
  const prefix = `@\n\x1e\rANSI ${fields.iin}${version}${fields.version >= 2 ? '00' : ''}01`;
  const offset = prefix.length + 10;
  return `${prefix}${type}${String(offset).padStart(4, '0')}${String(body.length).padStart(4, '0')}${body}`;
}
