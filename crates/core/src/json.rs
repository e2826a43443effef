//! A small JSON reader and writer, made for the widget's size budget.
//!
//! serde_json generates a deserializer per type, and those were a tenth of
//! the shipped WebAssembly. This reader is one non-generic pull parser: a
//! type reads itself field by field ([`crate::contract::Decode`]), and
//! callbacks are `dyn`, so each type costs only its own field list.
//!
//! It follows RFC 8259 with two deliberate limits that suit the contract:
//! numbers are read as whole numbers only (`1.5` or `1e3` is an error where a
//! number is expected, and skipped where it is not), and nothing recurses on
//! the input: [`Reader::skip`] walks any depth of nesting with a heap stack.

use std::fmt;

/// Why a text is not the JSON that was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The text broke the grammar (or ended) at a byte offset.
    Syntax {
        /// Byte offset of the problem.
        at: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// A number that is not a whole number in range, at a byte offset.
    Number {
        /// Byte offset of the number.
        at: usize,
    },
    /// An object lacked a required field.
    Missing(&'static str),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Syntax { at, expected } => write!(f, "expected {expected} at byte {at}"),
            Error::Number { at } => write!(f, "not a whole number in range at byte {at}"),
            Error::Missing(field) => write!(f, "missing field `{field}`"),
        }
    }
}

impl std::error::Error for Error {}

/// What reading returns.
pub type Result<T> = std::result::Result<T, Error>;

/// A pull parser over one JSON text.
pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `text`.
    pub fn new(text: &'a str) -> Self {
        Reader {
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    /// Reads one whole text with `read`: nothing but whitespace may follow.
    pub fn parse<T>(text: &'a str, read: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        let mut reader = Reader::new(text);
        let value = read(&mut reader)?;
        if reader.peek().is_some() {
            return reader.fail("the end of the text");
        }
        Ok(value)
    }

    /// The byte offset reached so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    fn fail<T>(&self, expected: &'static str) -> Result<T> {
        Err(Error::Syntax {
            at: self.pos,
            expected,
        })
    }

    /// The next byte after whitespace, not consumed.
    fn peek(&mut self) -> Option<u8> {
        while let Some(&byte) = self.bytes.get(self.pos) {
            if !matches!(byte, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(byte);
            }
            self.pos += 1;
        }
        None
    }

    /// Consumes `byte` if it comes next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        if next {
            self.pos += 1;
        }
        next
    }

    fn expect(&mut self, byte: u8, expected: &'static str) -> Result<()> {
        if self.eat(byte) {
            Ok(())
        } else {
            self.fail(expected)
        }
    }

    fn word(&mut self, word: &str) -> bool {
        self.peek();
        let found = self.bytes[self.pos..].starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// Whether a string comes next.
    pub fn at_string(&mut self) -> bool {
        self.peek() == Some(b'"')
    }

    /// Consumes a `null` if one comes next.
    pub fn null(&mut self) -> bool {
        self.word("null")
    }

    /// `read` unless the value is `null`.
    pub fn optional<T>(&mut self, read: fn(&mut Self) -> Result<T>) -> Result<Option<T>> {
        if self.null() {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// A boolean.
    pub fn bool(&mut self) -> Result<bool> {
        if self.word("true") {
            Ok(true)
        } else if self.word("false") {
            Ok(false)
        } else {
            self.fail("true or false")
        }
    }

    /// A string, unescaped.
    pub fn string(&mut self) -> Result<String> {
        self.expect(b'"', "a string")?;
        let mut out = String::new();
        loop {
            let start = self.pos;
            while let Some(&byte) = self.bytes.get(self.pos) {
                if byte == b'"' || byte == b'\\' || byte < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            // The input is a `str` and the run stops at ASCII, so this is a
            // whole number of characters.
            out.push_str(&String::from_utf8_lossy(&self.bytes[start..self.pos]));
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    out.push(self.escape()?);
                }
                _ => return self.fail("a closing quote"),
            }
        }
    }

    fn escape(&mut self) -> Result<char> {
        let byte = self.bytes.get(self.pos).copied();
        self.pos += 1;
        Ok(match byte {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let high = self.hex4()?;
                let code = match high {
                    0xD800..=0xDBFF => {
                        if !(self.bytes[self.pos..].starts_with(b"\\u")) {
                            return self.fail("a low surrogate");
                        }
                        self.pos += 2;
                        let low = self.hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&low) {
                            return self.fail("a low surrogate");
                        }
                        0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return self.fail("a high surrogate first"),
                    code => code,
                };
                return char::from_u32(code).map_or_else(|| self.fail("a character"), Ok);
            }
            _ => return self.fail("an escape"),
        })
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self
                .bytes
                .get(self.pos)
                .and_then(|&b| (b as char).to_digit(16));
            let Some(digit) = digit else {
                return self.fail("four hex digits");
            };
            code = code * 16 + digit;
            self.pos += 1;
        }
        Ok(code)
    }

    /// Scans a number; returns whether it is negative and its magnitude when
    /// it is a whole number that fits in a `u64`.
    fn number(&mut self) -> Result<(bool, Option<u64>)> {
        self.peek();
        let negative = self.bytes.get(self.pos) == Some(&b'-');
        if negative {
            self.pos += 1;
        }
        let digits = |reader: &mut Self| {
            let start = reader.pos;
            while reader.bytes.get(reader.pos).is_some_and(u8::is_ascii_digit) {
                reader.pos += 1;
            }
            reader.pos - start
        };
        let start = self.pos;
        let whole = digits(self);
        if whole == 0 || (whole > 1 && self.bytes[start] == b'0') {
            return self.fail("a number");
        }
        let mut magnitude = Some(0u64);
        for &byte in &self.bytes[start..self.pos] {
            magnitude = magnitude
                .and_then(|m| m.checked_mul(10))
                .and_then(|m| m.checked_add(u64::from(byte - b'0')));
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            magnitude = None;
            if digits(self) == 0 {
                return self.fail("a digit");
            }
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            magnitude = None;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if digits(self) == 0 {
                return self.fail("a digit");
            }
        }
        Ok((negative, magnitude))
    }

    /// A whole number from 0 to `u64::MAX`.
    pub fn u64(&mut self) -> Result<u64> {
        self.peek();
        let at = self.pos;
        match self.number()? {
            (false, Some(value)) => Ok(value),
            (true, Some(0)) => Ok(0),
            _ => Err(Error::Number { at }),
        }
    }

    /// A whole number from 0 to `u32::MAX`.
    pub fn u32(&mut self) -> Result<u32> {
        let at = self.pos;
        u32::try_from(self.u64()?).map_err(|_| Error::Number { at })
    }

    /// A whole number that fits in an `i64`.
    pub fn i64(&mut self) -> Result<i64> {
        self.peek();
        let at = self.pos;
        let (negative, magnitude) = self.number()?;
        let value = magnitude.and_then(|m| {
            if negative {
                0i64.checked_sub_unsigned(m)
            } else {
                i64::try_from(m).ok()
            }
        });
        value.ok_or(Error::Number { at })
    }

    /// An object: `field` is called with each key and must read its value
    /// (or [`Reader::skip`] it).
    pub fn object(&mut self, field: &mut dyn FnMut(&mut Self, &str) -> Result<()>) -> Result<()> {
        self.expect(b'{', "an object")?;
        if self.eat(b'}') {
            return Ok(());
        }
        loop {
            let key = self.string()?;
            self.expect(b':', "a colon")?;
            field(self, &key)?;
            if !self.eat(b',') {
                return self.expect(b'}', "a comma or a closing brace");
            }
        }
    }

    /// An array: `item` is called for each element and must read it.
    pub fn array(&mut self, item: &mut dyn FnMut(&mut Self) -> Result<()>) -> Result<()> {
        self.expect(b'[', "an array")?;
        if self.eat(b']') {
            return Ok(());
        }
        loop {
            item(self)?;
            if !self.eat(b',') {
                return self.expect(b']', "a comma or a closing bracket");
            }
        }
    }

    /// An array of values read by `read`.
    pub fn list<T>(&mut self, read: fn(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        let mut list = Vec::new();
        self.array(&mut |reader| {
            list.push(read(reader)?);
            Ok(())
        })?;
        Ok(list)
    }

    /// Reads past any one value, however deeply nested, without recursion.
    pub fn skip(&mut self) -> Result<()> {
        // The closers of the containers we are in, innermost last.
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value.
            match self.peek() {
                Some(b'{') => {
                    self.pos += 1;
                    if !self.eat(b'}') {
                        open.push(b'}');
                        self.string()?;
                        self.expect(b':', "a colon")?;
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if !self.eat(b']') {
                        open.push(b']');
                        continue;
                    }
                }
                Some(b'"') => drop(self.string()?),
                Some(b't' | b'f') => drop(self.bool()?),
                Some(b'n') if self.null() => {}
                Some(b'-' | b'0'..=b'9') => drop(self.number()?),
                _ => return self.fail("a value"),
            }
            // Then close what ends here, or move to the next element.
            loop {
                let Some(&close) = open.last() else {
                    return Ok(());
                };
                if self.eat(b',') {
                    if close == b'}' {
                        self.string()?;
                        self.expect(b':', "a colon")?;
                    }
                    break;
                }
                self.expect(close, "a comma or a closer")?;
                open.pop();
            }
        }
    }
}

/// `value` when it was read, else the error naming the missing `field`.
pub fn required<T>(value: Option<T>, field: &'static str) -> Result<T> {
    value.ok_or(Error::Missing(field))
}

/// Appends `text` to `out` as a JSON string, quoted and escaped.
pub fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                out.push_str("\\u00");
                let code = u32::from(c);
                for nibble in [code >> 4, code & 15] {
                    out.push(char::from_digit(nibble, 16).unwrap_or('0'));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `text` quoted and escaped as a JSON string, e.g. for a message that
/// shows a hostile value without letting it break the line.
pub fn quoted(text: &str) -> String {
    let mut out = String::new();
    write_string(&mut out, text);
    out
}

/// A JSON object with string fields, e.g. `{"reward_id":"r1"}`.
pub fn object_of_strings(fields: &[(&str, &str)]) -> String {
    let mut out = String::from("{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(&mut out, key);
        out.push(':');
        write_string(&mut out, value);
    }
    out.push('}');
    out
}

/// Whether `text` is one JSON value, of any shape.
pub fn is_json(text: &str) -> bool {
    Reader::parse(text, Reader::skip).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> Result<String> {
        Reader::parse(text, Reader::string)
    }

    #[test]
    fn strings_unescape() {
        assert_eq!(string(r#""a\"b\\c\/\n\t""#), Ok("a\"b\\c/\n\t".into()));
        assert_eq!(string(r#""\u00e4\u20AC""#), Ok("ä€".into()));
        assert_eq!(string(r#""\ud83d\ude00""#), Ok("😀".into()));
        assert_eq!(string("\"grüße\""), Ok("grüße".into()));
        for bad in [
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\x""#,
            "\"a\nb\"",
            r#""open"#,
            r#""\u12""#,
        ] {
            assert!(string(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn numbers_are_whole_and_in_range() {
        let u = |t| Reader::parse(t, Reader::u64);
        let i = |t| Reader::parse(t, Reader::i64);
        assert_eq!(u("0"), Ok(0));
        assert_eq!(u("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(i("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(i("-5"), Ok(-5));
        for bad in [
            "-1",
            "1.5",
            "1e3",
            "18446744073709551616",
            "01",
            "-",
            "+1",
            "",
        ] {
            assert!(u(bad).is_err(), "{bad}");
        }
        assert!(i("9223372036854775808").is_err());
        assert!(Reader::parse("4294967296", Reader::u32).is_err());
    }

    #[test]
    fn skip_walks_any_value_and_any_depth() {
        for good in [
            r#"{"a":[1,-2.5e+3,true,false,null,"x",{"b":{}}],"c":[]}"#,
            "  [ ]  ",
            "0",
            "\"s\"",
        ] {
            assert!(is_json(good), "{good}");
        }
        let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
        assert!(is_json(&deep));
        for bad in [
            "[1,]",
            "{\"a\"}",
            "{\"a\":1,}",
            "[1 2]",
            "[}",
            "nul",
            "1 2",
            "",
            "{'a':1}",
        ] {
            assert!(!is_json(bad), "{bad}");
        }
    }

    #[test]
    fn objects_hand_over_each_field() {
        let mut seen = Vec::new();
        let text = r#"{"a": 1, "b": {"deep": [1]}, "c": "x"}"#;
        let read = Reader::parse(text, |reader| {
            reader.object(&mut |reader, key| {
                seen.push(key.to_string());
                reader.skip()
            })
        });
        assert_eq!(read, Ok(()));
        assert_eq!(seen, ["a", "b", "c"]);
    }

    #[test]
    fn writing_round_trips() {
        let text = "quote \" slash \\ line\n tab\t bell\u{7} ü";
        let written = object_of_strings(&[("k", text)]);
        let mut back = None;
        Reader::parse(&written, |reader| {
            reader.object(&mut |reader, _| {
                back = Some(reader.string()?);
                Ok(())
            })
        })
        .expect("reads back");
        assert_eq!(back.as_deref(), Some(text));
    }
}
