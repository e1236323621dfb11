//! A step's output cut into lines as it is read. A line longer than [`MAX_LINE`] bytes is
//! cut *while* it is read: its first bytes are kept and the rest is skipped up to the next
//! newline without being held anywhere, so a program that prints gigabytes without a
//! newline costs the reader one pipe buffer and one line, not the gigabytes.

use super::logs::Stream;
use tokio::io::{AsyncBufRead, AsyncBufReadExt};
use tokio::sync::mpsc::Sender;

/// A line longer than this (in bytes) is cut (a minified asset printed by a tool, say).
pub const MAX_LINE: usize = 4096;

/// What ends a line that was cut.
pub const CUT_MARK: &str = " …[cut]";

/// One line being read: at most [`MAX_LINE`] bytes, and whether bytes were skipped.
#[derive(Debug, Default)]
struct Line {
    bytes: Vec<u8>,
    cut: bool,
}

impl Line {
    /// Takes `chunk` (which holds no newline) into the line, keeping no more than
    /// [`MAX_LINE`] bytes.
    fn take(&mut self, chunk: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.bytes.len());
        if chunk.len() > room {
            self.cut = true;
        }
        self.bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }

    fn is_empty(&self) -> bool {
        self.bytes.is_empty() && !self.cut
    }

    /// The line as text (invalid UTF-8 replaced), and the reader ready for the next one.
    fn finish(&mut self) -> String {
        let mut bytes = std::mem::take(&mut self.bytes);
        let cut = std::mem::take(&mut self.cut);
        if cut {
            // The cut may fall inside a character: drop its first bytes rather than show a
            // replacement character that the program never printed.
            bytes.truncate(bytes.len() - partial_char_at_end(&bytes));
        } else {
            while bytes.last().is_some_and(|b| matches!(b, b'\n' | b'\r')) {
                bytes.pop();
            }
        }
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if cut {
            text.push_str(CUT_MARK);
        }
        text
    }
}

/// How many bytes at the end of `bytes` start a UTF-8 character that is not complete.
fn partial_char_at_end(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(3) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0x80 {
            continue; // a continuation byte: look further back for the lead
        }
        let width = match b {
            0xC0..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF7 => 4,
            _ => 1,
        };
        return if width > back { back } else { 0 };
    }
    0
}

/// Reads `pipe` to its end, sending each line (without its newline) to `tx`. Stops early
/// when nobody listens any more or the pipe fails.
pub async fn read_lines(
    mut reader: impl AsyncBufRead + Unpin,
    stream: Stream,
    tx: Sender<(Stream, String)>,
) {
    let mut line = Line::default();
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(chunk) => chunk,
            Err(_) => return,
        };
        if chunk.is_empty() {
            // The end: a last line without a newline still counts.
            if !line.is_empty() {
                let _ = tx.send((stream, line.finish())).await;
            }
            return;
        }
        let (used, ended) = match chunk.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (chunk.len(), false),
        };
        line.take(&chunk[..used - usize::from(ended)]);
        reader.consume(used);
        if ended && tx.send((stream, line.finish())).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines_of(input: &[u8]) -> Vec<String> {
        let (tx, mut rx) = tokio::sync::mpsc::channel(64);
        // A small buffer: lines and characters straddle the reads.
        read_lines(tokio::io::BufReader::with_capacity(7, input), Stream::Stdout, tx).await;
        let mut lines = Vec::new();
        while let Some((_, line)) = rx.recv().await {
            lines.push(line);
        }
        lines
    }

    #[tokio::test]
    async fn lines_keep_their_text_without_newlines_and_the_last_one_needs_none() {
        let lines = lines_of(b"one\r\ntwo\n\nthree").await;
        assert_eq!(lines, ["one", "two", "", "three"]);
        assert!(lines_of(b"").await.is_empty());
    }

    #[tokio::test]
    async fn a_long_line_is_cut_at_the_limit_and_the_next_line_is_whole() {
        let mut input = vec![b'x'; MAX_LINE * 3 + 5];
        input.extend_from_slice(b"\nafter\n");
        let lines = lines_of(&input).await;
        assert_eq!(lines.len(), 2, "{:?}", lines.iter().map(String::len).collect::<Vec<_>>());
        assert_eq!(lines[0], format!("{}{CUT_MARK}", "x".repeat(MAX_LINE)));
        assert_eq!(lines[1], "after");
        // Exactly at the limit is not cut.
        let lines = lines_of(&[b'y'; MAX_LINE]).await;
        assert_eq!(lines, ["y".repeat(MAX_LINE)]);
    }

    #[tokio::test]
    async fn a_cut_inside_a_character_drops_the_character_not_shows_garbage() {
        // "é" is two bytes: the limit falls between them.
        let mut input = vec![b'a'; MAX_LINE - 1];
        input.extend_from_slice("éé\n".as_bytes());
        let lines = lines_of(&input).await;
        assert_eq!(lines, [format!("{}{CUT_MARK}", "a".repeat(MAX_LINE - 1))]);
        // A 4-byte character whose lead is the last byte kept.
        let mut input = vec![b'a'; MAX_LINE - 1];
        input.extend_from_slice("🦀 tail".as_bytes());
        assert_eq!(lines_of(&input).await, [format!("{}{CUT_MARK}", "a".repeat(MAX_LINE - 1))]);
        // A complete character right at the limit stays.
        let mut input = vec![b'a'; MAX_LINE - 2];
        input.extend_from_slice("é and more".as_bytes());
        assert_eq!(lines_of(&input).await, [format!("{}é{CUT_MARK}", "a".repeat(MAX_LINE - 2))]);
    }

    #[test]
    fn partial_characters_at_the_end_are_counted() {
        assert_eq!(partial_char_at_end(b"abc"), 0);
        assert_eq!(partial_char_at_end("é".as_bytes()), 0);
        assert_eq!(partial_char_at_end(&"é".as_bytes()[..1]), 1);
        assert_eq!(partial_char_at_end(&"🦀".as_bytes()[..3]), 3);
        assert_eq!(partial_char_at_end("🦀".as_bytes()), 0);
        assert_eq!(partial_char_at_end(&[0xFF]), 0, "not UTF-8 at all: kept, shown replaced");
    }
}
