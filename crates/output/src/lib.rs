//! How results reach stdout (table, JSON, CSV) and messages reach stderr, with the
//! colour and TTY rules. This module formats; it never decides policy.

use std::io::{IsTerminal, Write};

use comfy_table::{ContentArrangement, Table, presets};
use serde_json::Value;

/// How results are printed on stdout (`--format`, `--json`, `--csv`); with the `clap`
/// feature, also `--format`'s value type (the one spelling of the formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Format {
    #[default]
    Table,
    Json,
    Csv,
}

/// What the person asked for (the global flags), before the environment is consulted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub format: Format,
    pub quiet: bool,
    pub verbose: u8,
    pub no_color: bool,
}

/// A typed `--json` shape as the value [`Output::json`] and a [`Listing`] print.
pub fn shape_value(shape: &impl serde::Serialize) -> Value {
    serde_json::to_value(shape).expect("JSON shapes serialize")
}

/// Output settings derived once from the global flags and the environment.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    pub quiet: bool,
    pub verbose: u8,
    /// Colour on stdout/stderr: only on a terminal, without NO_COLOR / --no-color.
    pub color: bool,
    /// Progress bars on stderr: only when stderr is a terminal and not quiet.
    pub progress: bool,
}

impl Output {
    pub fn new(g: Options) -> Self {
        let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let stderr_tty = std::io::stderr().is_terminal();
        Output {
            format: g.format,
            quiet: g.quiet,
            verbose: g.verbose,
            color: !g.no_color && !no_color_env && std::io::stdout().is_terminal(),
            progress: stderr_tty && !g.quiet,
        }
    }

    /// A progress/status message on stderr (suppressed by -q).
    pub fn info(&self, msg: impl AsRef<str>) {
        if !self.quiet {
            // Messages quote hosts: a password in a URL never reaches the terminal.
            eprintln!("{}", clearml_error::redact_urls(msg.as_ref()));
        }
    }

    /// A warning on stderr (shown even with -q).
    pub fn warn(&self, msg: impl AsRef<str>) {
        eprintln!("warning: {}", clearml_error::redact_urls(msg.as_ref()));
    }

    /// Print a JSON value to stdout, pretty.
    pub fn json(&self, value: &Value) {
        // Buffered: stdout is line-buffered, and a 10,000-row listing is 100,000 lines.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = serde_json::to_writer_pretty(&mut out, value)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        fail_like_print(written);
    }

    /// Print items as one pretty JSON array (without copying them into a Value first).
    pub fn json_items(&self, items: &[Value]) {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = serde_json::to_writer_pretty(&mut out, items)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out))
            .and_then(|()| out.flush());
        fail_like_print(written);
    }

    /// Print a [`JsonArray`]: the same bytes [`Output::json_items`] prints for its items.
    pub fn json_array(&self, items: &JsonArray) {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = out
            .write_all(&items.buf)
            .and_then(|()| out.write_all(items.end()))
            .and_then(|()| out.flush());
        fail_like_print(written);
    }

    /// Print a listing in the chosen format. `json` is the stable machine form (an array
    /// of objects, usually richer than the table).
    pub fn listing(&self, listing: &Listing) {
        match self.format {
            Format::Json => self.json_items(&listing.json),
            Format::Csv => print!("{}", listing.to_csv()),
            Format::Table => println!("{}", listing.to_table(self.color)),
        }
    }
}

/// The exit of a Unix filter killed by SIGPIPE (128 + 13), which a shell shows for
/// `clearml task list | head -1` once `head` has left; the binary ends with it when
/// stdout's reader has gone.
pub const STDOUT_CLOSED: i32 = 141;

/// A buffered write to a closed stdout (`clearml task list --json | head -1`) fails as
/// `print!` does, so the binary ends the run the same way whichever path printed.
fn fail_like_print(written: std::io::Result<()>) {
    if let Err(e) = written
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        panic!("failed printing to stdout: {e}");
    }
}

/// Rows for a table/CSV, plus the JSON documents they were made from.
#[derive(Debug, Clone, Default)]
pub struct Listing {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub json: Vec<Value>,
}

impl Listing {
    pub fn new(headers: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Listing {
            headers: headers.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    pub fn push(&mut self, row: Vec<String>, json: Value) {
        self.rows.push(row);
        self.json.push(json);
    }

    pub fn to_table(&self, color: bool) -> String {
        let mut table = Table::new();
        table
            .load_preset(presets::NOTHING)
            .set_content_arrangement(ContentArrangement::Disabled);
        if color {
            table.enforce_styling();
        }
        // Plain keys are shouted; metric:/param: paths keep their (case-sensitive) spelling.
        table.set_header(self.headers.iter().map(|h| {
            if h.contains('/') {
                escape_control(h)
            } else {
                escape_control(h).to_uppercase()
            }
        }));
        for row in &self.rows {
            table.add_row(row.iter().map(|c| escape_control(c)));
        }
        // comfy-table pads with a leading space per cell; trim line ends for clean output.
        table
            .to_string()
            .lines()
            .map(|l| l.trim_end().strip_prefix(' ').unwrap_or(l.trim_end()))
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn to_csv(&self) -> String {
        let mut s = String::new();
        push_csv_line(&mut s, &self.headers);
        for row in &self.rows {
            push_csv_line(&mut s, row);
        }
        s
    }
}

/// A pretty JSON array written element by element, so a long listing is serialized page
/// by page as the pages arrive (and each page dropped) instead of all at the end.
/// [`Output::json_array`] prints it exactly as `serde_json::to_writer_pretty` prints the
/// whole array: `[`, then each element on a new line indented by two spaces and separated
/// by commas, then `]` on its own line (`[]` when empty).
#[derive(Debug, Default)]
pub struct JsonArray {
    buf: Vec<u8>,
    len: usize,
}

impl JsonArray {
    pub fn push(&mut self, item: &impl serde::Serialize) {
        self.buf
            .extend_from_slice(if self.len == 0 { b"[\n  " } else { b",\n  " });
        write_element(&mut self.buf, item);
        self.len += 1;
    }

    /// An element as [`JsonArray::push`] writes it, made apart from the array (a page's
    /// rows, made as the page is read), for [`JsonArray::push_made`].
    pub fn make(item: &impl serde::Serialize) -> Vec<u8> {
        let mut made = Vec::with_capacity(256);
        write_element(&mut made, item);
        made
    }

    /// Appends an element from [`JsonArray::make`].
    pub fn push_made(&mut self, made: &[u8]) {
        self.buf
            .extend_from_slice(if self.len == 0 { b"[\n  " } else { b",\n  " });
        self.buf.extend_from_slice(made);
        self.len += 1;
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The printed bytes (what [`Output::json_array`] writes).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = self.buf.clone();
        v.extend_from_slice(self.end());
        v
    }

    /// What closes the array (and ends the line).
    fn end(&self) -> &'static [u8] {
        if self.len == 0 { b"[]\n" } else { b"\n]\n" }
    }
}

/// `item` as `to_writer_pretty` writes it one level down in an array: the same layout,
/// every line indented two spaces more.
fn write_element(out: &mut Vec<u8>, item: &impl serde::Serialize) {
    let layout = ElementLayout {
        depth: 1,
        has_value: false,
    };
    let mut ser = serde_json::Serializer::with_formatter(out, layout);
    item.serialize(&mut ser).expect("JSON shapes serialize");
}

/// serde_json's pretty layout (a line per element, two spaces a level) starting `depth`
/// levels in, so an array's element needs no second pass to indent it.
struct ElementLayout {
    depth: usize,
    /// Whether the innermost open array or object got an element (else it closes as
    /// `[]`/`{}` on its line).
    has_value: bool,
}

impl ElementLayout {
    fn open<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        bracket: &[u8],
    ) -> std::io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.new_line(w)?;
        }
        w.write_all(bracket)
    }

    fn new_line<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b"\n")?;
        for _ in 0..self.depth {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn element<W: ?Sized + std::io::Write>(&self, w: &mut W, first: bool) -> std::io::Result<()> {
        if !first {
            w.write_all(b",")?;
        }
        self.new_line(w)
    }
}

impl serde_json::ser::Formatter for ElementLayout {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.element(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn push_csv_line(out: &mut String, fields: &[String]) {
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

/// RFC 4180 quoting: quote fields with comma, quote, CR or LF; double inner quotes.
pub fn csv_field(f: &str) -> String {
    if f.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", f.replace('"', "\"\""))
    } else {
        f.to_string()
    }
}

/// Show a secret as its first 4 characters and `***` (never the whole value).
/// Secrets shorter than 8 characters show nothing at all: 4 of them would be most of it.
/// A table cell safe for a terminal: control characters (C0 incl. ESC and newline, DEL,
/// C1) become visible escapes, so server data (any user can name a task) cannot recolour
/// the terminal, set its title or break a row.
pub fn escape_control(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

pub fn mask_secret(secret: &str) -> String {
    if secret.chars().count() < 8 {
        return "***".to_string();
    }
    let head: String = secret.chars().take(4).collect();
    format!("{head}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn listing_renders_table_and_csv() {
        let mut l = Listing::new(["id", "name"]);
        l.push(
            vec!["1".into(), "a, b".into()],
            serde_json::json!({"id": "1"}),
        );
        assert_eq!(l.to_csv(), "id,name\n1,\"a, b\"\n");
        let t = l.to_table(false);
        assert!(t.starts_with("ID"), "{t}");
        assert!(t.contains("a, b"));
    }

    #[test]
    fn control_characters_never_reach_the_terminal() {
        let mut l = Listing::new(["name", "param:Args/lr"]);
        l.push(
            vec!["evil\x1b[31mRED\x1b[0m\nsecond\u{9b}".into(), "x".into()],
            Value::Null,
        );
        let t = l.to_table(false);
        assert!(!t.chars().any(|c| c.is_control() && c != '\n'), "{t:?}");
        assert_eq!(t.lines().count(), 2, "{t}");
        assert!(t.contains("evil\\x1b[31mRED\\x1b[0m\\nsecond\\x9b"), "{t}");
        assert!(t.contains("param:Args/lr") || t.contains("Args/lr"), "{t}");
    }

    #[test]
    fn json_array_prints_what_the_whole_array_prints() {
        let items = [
            serde_json::json!({"id": "1", "name": "Задача \"x\"\nüber", "tags": ["标签", []], "m": {"a": {}, "b": [1, {"c": null}]}}),
            serde_json::json!([]),
            serde_json::json!({}),
            serde_json::json!("text\n"),
            serde_json::json!(2.5),
        ];
        for n in 0..=items.len() {
            let mut whole = serde_json::to_vec_pretty(&items[..n]).unwrap();
            whole.push(b'\n');
            let mut array = JsonArray::default();
            for item in &items[..n] {
                array.push(item);
            }
            assert_eq!(array.len(), n);
            assert_eq!(
                String::from_utf8(array.to_bytes()).unwrap(),
                String::from_utf8(whole).unwrap()
            );
        }
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(mask_secret("abcdefgh"), "abcd***");
        assert_eq!(mask_secret("ab"), "***");
        assert_eq!(mask_secret("abcdefg"), "***");
    }
}
