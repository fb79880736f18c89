// An RFC 4180 reader for the tests: fields split on commas, records on CRLF or LF; a field in
// double quotes may hold commas, line breaks and quotes doubled (""). Anything else (a quote
// inside an unquoted field, text after a closing quote, a lone CR) is an error, so that output
// a spreadsheet would misread fails the test instead of parsing loosely.

/** One field: its text, unquoted, and whether it was written in quotes. */
export interface CsvField {
  cell: string;
  quoted: boolean;
}

/** The records of a CSV text, each a list of its fields. */
export function parseCsv(text: string): CsvField[][] {
  const records: CsvField[][] = [];
  let record: CsvField[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    record.push({ cell, quoted });
    cell = '';
    quoted = false;
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      if (cell !== '' || quoted) throw new Error(`CSV: a quote inside an unquoted field at ${i}`);
      quoted = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('CSV: a quoted field without its closing quote');
        cell += text.slice(i, q);
        i = q + 1;
        if (text[i] !== '"') break;
        cell += '"';
        i++;
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
        throw new Error(`CSV: text after a closing quote at ${i}`);
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
    } else if (c === '\r') {
      throw new Error(`CSV: a carriage return alone at ${i}`);
    } else {
      if (quoted) throw new Error(`CSV: text after a closing quote at ${i}`);
      cell += c;
      i++;
    }
  }
  if (cell !== '' || quoted || record.length > 0) endRecord();
  return records;
}

/** The records' cells alone. */
export function parseCsvCells(text: string): string[][] {
  return parseCsv(text).map((record) => record.map((field) => field.cell));
}
