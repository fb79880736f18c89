// An RFC 4180 reader for the tests: fields split on commas, records on CRLF or LF; a field in
// double quotes may hold commas, line breaks and quotes doubled (""). Anything else is an error,
// so that output a spreadsheet would misread fails the test instead of parsing loosely.

/** The records of a CSV text, each a list of its fields, unquoted. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  const endField = () => {
    record.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    if (text[i] === '"') {
      if (field !== '') throw new Error(`CSV: a quote inside an unquoted field at ${i}`);
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('CSV: a quoted field without its closing quote');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
      const next = text[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r')
        throw new Error(`CSV: text after a closing quote at ${i}`);
      continue;
    }
    const c = text[i]!;
    if (c === ',') {
      endField();
      i++;
    } else if (c === '\n' || (c === '\r' && text[i + 1] === '\n')) {
      endRecord();
      i += c === '\r' ? 2 : 1;
    } else if (c === '\r') {
      throw new Error(`CSV: a carriage return alone at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || record.length > 0) endRecord();
  return records;
}
