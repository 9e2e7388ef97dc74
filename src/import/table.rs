//! Text to rows: the separator detected from the header line, quoted fields read by the `csv`
//! crate, and each row kept with the line of the file it starts on.

use super::rows::{Problem, RowProblem};
use thiserror::Error;

/// The field separator of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separator {
    Semicolon,
    Comma,
    Tab,
}

impl Separator {
    pub fn byte(self) -> u8 {
        match self {
            Separator::Semicolon => b';',
            Separator::Comma => b',',
            Separator::Tab => b'\t',
        }
    }

    /// Returns the separator as people name it: the character itself, or `tab`.
    pub fn label(self) -> &'static str {
        match self {
            Separator::Semicolon => ";",
            Separator::Comma => ",",
            Separator::Tab => "tab",
        }
    }
}

/// One data row: its fields, and the line of the file where it starts (1 is the first line,
/// and a line break inside a quoted field counts as a line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub line: u64,
    pub fields: Vec<String>,
}

/// A file split into a header and rows. Rows whose layout is broken are left out of `records`
/// and listed in `problems`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub separator: Separator,
    pub headers: Vec<String>,
    pub records: Vec<Record>,
    pub problems: Vec<RowProblem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TableError {
    #[error("the file has no header line")]
    NoHeader,
    #[error("the file could not be read as CSV: {0}")]
    Csv(String),
}

/// Splits a decoded file into its header and rows.
pub fn read_table(text: &str) -> Result<Table, TableError> {
    let separator = detect_separator(text);
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(separator.byte())
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());

    let mut raw: Vec<(u64, usize, csv::StringRecord)> = Vec::new();
    let mut lines = LineCounter::default();
    for record in reader.records() {
        let record = record.map_err(|error| TableError::Csv(error.to_string()))?;
        // Records read from memory always have a position. After a CRLF line end, csv 1.4
        // places a record on the LF before it and counts one line too few, so the start skips
        // line breaks and lines are counted here.
        let byte = record.position().map_or(text.len() as u64, |p| p.byte());
        let mut start = usize::try_from(byte).unwrap_or(text.len()).min(text.len());
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        raw.push((lines.line_at(text, start), start, record));
    }

    let mut table = Table {
        separator,
        headers: Vec::new(),
        records: Vec::new(),
        problems: Vec::new(),
    };
    let mut header_seen = false;
    for (index, (line, start, record)) in raw.iter().enumerate() {
        let end = raw.get(index + 1).map_or(text.len(), |next| next.1);
        let raw_text = text.get(*start..end).unwrap_or("");
        if record.iter().all(|field| field.trim().is_empty()) {
            continue;
        }
        if let Some(problem) = check_quotes(raw_text, separator.byte() as char) {
            let column = table.headers.get(problem.field).cloned();
            table.problems.push(RowProblem {
                line: *line,
                column,
                problem: problem.kind,
            });
            continue;
        }
        if !header_seen {
            header_seen = true;
            table.headers = record.iter().map(|h| h.trim().to_owned()).collect();
            continue;
        }
        match fit_to_header(record, table.headers.len()) {
            Ok(fields) => table.records.push(Record {
                line: *line,
                fields,
            }),
            Err(found) => table.problems.push(RowProblem {
                line: *line,
                column: None,
                problem: Problem::FieldCount {
                    found,
                    expected: table.headers.len(),
                },
            }),
        }
    }
    if !header_seen {
        return Err(TableError::NoHeader);
    }
    Ok(table)
}

/// Counts line breaks (LF, CRLF or a lone CR) up to increasing byte offsets.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    breaks: u64,
}

impl LineCounter {
    /// Returns the 1-based line of the byte at `offset`, which must not decrease between calls.
    fn line_at(&mut self, text: &str, offset: usize) -> u64 {
        let bytes = text.as_bytes();
        for index in self.offset..offset.max(self.offset) {
            let lone_cr = bytes[index] == b'\r' && bytes.get(index + 1) != Some(&b'\n');
            if bytes[index] == b'\n' || lone_cr {
                self.breaks += 1;
            }
        }
        self.offset = offset.max(self.offset);
        self.breaks + 1
    }
}

/// Pads a short row with empty fields. A long row is rejected with its number of fields,
/// unless its extra fields are empty because of a trailing separator.
fn fit_to_header(record: &csv::StringRecord, columns: usize) -> Result<Vec<String>, usize> {
    let mut fields: Vec<String> = record.iter().map(str::to_owned).collect();
    if fields.len() > columns {
        if fields[columns..]
            .iter()
            .any(|field| !field.trim().is_empty())
        {
            return Err(fields.len());
        }
        fields.truncate(columns);
    }
    fields.resize(columns, String::new());
    Ok(fields)
}

/// Picks the separator that occurs most often in the first line, outside quotes. `;` wins ties
/// because French spreadsheets use it, and a line with none of them is one column.
fn detect_separator(text: &str) -> Separator {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for character in text.chars() {
        match character {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ';' if !quoted => counts[0] += 1,
            '\t' if !quoted => counts[1] += 1,
            ',' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let candidates = [Separator::Semicolon, Separator::Tab, Separator::Comma];
    let mut best = Separator::Semicolon;
    let mut best_count = 0;
    for (separator, count) in candidates.into_iter().zip(counts) {
        if count > best_count {
            best = separator;
            best_count = count;
        }
    }
    best
}

struct QuoteProblem {
    field: usize,
    kind: Problem,
}

/// Finds the quoting mistakes that the `csv` crate reads silently: a quote inside an unquoted
/// field, text after a closing quote, and a quote never closed (which swallows the rest of the
/// file into one field).
fn check_quotes(raw: &str, separator: char) -> Option<QuoteProblem> {
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        FieldStart,
        Unquoted,
        Quoted,
        AfterQuote,
    }
    let raw = raw.trim_end_matches(['\r', '\n']);
    let mut state = State::FieldStart;
    let mut field = 0;
    for character in raw.chars() {
        state = match (state, character) {
            (State::Quoted, '"') => State::AfterQuote,
            (State::Quoted, _) => State::Quoted,
            (State::AfterQuote, '"') => State::Quoted,
            (State::FieldStart, '"') => State::Quoted,
            (_, c) if c == separator => {
                field += 1;
                State::FieldStart
            }
            (State::FieldStart | State::Unquoted, _) if character != '"' => State::Unquoted,
            _ => {
                return Some(QuoteProblem {
                    field,
                    kind: Problem::StrayQuote,
                });
            }
        };
    }
    (state == State::Quoted).then_some(QuoteProblem {
        field,
        kind: Problem::UnclosedQuote,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_detected() {
        assert_eq!(detect_separator("Nom;Prénom\r\n"), Separator::Semicolon);
        assert_eq!(detect_separator("Nom,Prénom\n"), Separator::Comma);
        assert_eq!(detect_separator("Nom\tPrénom\n"), Separator::Tab);
        assert_eq!(detect_separator("\"a,b\";c\n"), Separator::Semicolon);
        assert_eq!(detect_separator("Nom\n"), Separator::Semicolon);
    }

    #[test]
    fn quoted_line_breaks_count_as_lines() {
        let text = "Nom;Notes\nA;\"two\nlines; here\"\nB;x\n";
        let table = read_table(text).unwrap();
        assert_eq!(table.records.len(), 2);
        assert_eq!(table.records[0].fields[1], "two\nlines; here");
        assert_eq!(table.records[1].line, 4);
    }

    #[test]
    fn crlf_lines_counted() {
        let text = "Nom;Notes\r\nA;\"two\r\nlines\"\r\nB;x\r\n\r\nC;y\r\n";
        let table = read_table(text).unwrap();
        let lines: Vec<u64> = table.records.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![2, 4, 6]);
    }

    #[test]
    fn stray_quote_reported_with_column() {
        let text = "\"nom\";\"prenom\"\n\"Dupont\";Marie\"\n\"Martin\";\"Jean\"\n";
        let table = read_table(text).unwrap();
        assert_eq!(table.records.len(), 1);
        assert_eq!(table.problems.len(), 1);
        assert_eq!(table.problems[0].line, 2);
        assert_eq!(table.problems[0].column.as_deref(), Some("prenom"));
        assert_eq!(table.problems[0].problem, Problem::StrayQuote);
    }

    #[test]
    fn unclosed_quote_reported() {
        let table = read_table("Nom;Prénom\nA;\"B\nC;D\n").unwrap();
        assert_eq!(table.records.len(), 0);
        assert_eq!(table.problems[0].problem, Problem::UnclosedQuote);
        assert_eq!(table.problems[0].line, 2);
    }

    #[test]
    fn extra_field_reported() {
        let table = read_table("a;b\n1;2;3\n4;5;\n6\n").unwrap();
        assert_eq!(
            table.problems[0].problem,
            Problem::FieldCount {
                found: 3,
                expected: 2
            }
        );
        assert_eq!(table.records.len(), 2);
        assert_eq!(table.records[1].fields, vec!["6".to_owned(), String::new()]);
    }

    #[test]
    fn escaped_quotes_accepted() {
        let table = read_table("a;b\n\"say \"\"hi\"\"\";x\n").unwrap();
        assert!(table.problems.is_empty());
        assert_eq!(table.records[0].fields[0], "say \"hi\"");
    }

    #[test]
    fn no_header_is_an_error() {
        assert_eq!(read_table("\n\n"), Err(TableError::NoHeader));
    }
}
