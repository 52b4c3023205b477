//! Reading a log without holding it: forward a block of whole lines at a time
//! (verify, export, show with filters), or backwards a line at a time from the
//! end (show --limit). Memory is a few blocks plus the longest line, whatever
//! the size of the log — years of log must verify on an operator's laptop.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// Bytes per block: large enough that the per-block costs (a channel message,
/// spawning the hashing threads) vanish, small enough that three of them sit
/// well inside the 64 MB budget.
pub const BLOCK: usize = 4 << 20;

/// Blocks filled ahead of the reader; with the one being read and the one
/// being filled, this many plus two blocks exist at once.
const AHEAD: usize = 1;

/// The non-empty lines of a block, without their newlines.
pub fn lines(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    block.split(|b| *b == b'\n').filter(|l| !l.is_empty())
}

/// Whole lines from a reader, a block at a time. The next block is read on a
/// thread of its own while the caller works on the current one, so reading
/// costs no wall time next to hashing.
pub struct BlockReader {
    full: Receiver<io::Result<Vec<u8>>>,
    empty: SyncSender<Vec<u8>>,
    current: Option<Vec<u8>>,
}

impl BlockReader {
    /// Starts reading `reader` to its end. The reading thread ends on its own
    /// when the reader is exhausted or this `BlockReader` is dropped.
    pub fn spawn<R: Read + Send + 'static>(reader: R) -> BlockReader {
        let (full_tx, full) = sync_channel(AHEAD);
        let (empty, empty_rx) = sync_channel(AHEAD + 2);
        for _ in 0..AHEAD + 1 {
            // Cannot fail: the channel has room for all of them.
            let _ = empty.try_send(Vec::with_capacity(BLOCK));
        }
        std::thread::spawn(move || fill(reader, &empty_rx, &full_tx));
        BlockReader {
            full,
            empty,
            current: None,
        }
    }

    /// The next block: whole lines, each ending in a newline except perhaps
    /// the log's very last. `None` at the end of the log.
    pub fn next_block(&mut self) -> io::Result<Option<&[u8]>> {
        if let Some(done) = self.current.take() {
            // Hand the buffer back for reuse; if the reader has already ended,
            // it is simply dropped.
            let _ = self.empty.try_send(done);
        }
        match self.full.recv() {
            Ok(Ok(block)) => {
                self.current = Some(block);
                Ok(self.current.as_deref())
            }
            Ok(Err(e)) => Err(e),
            // The reading thread hung up: the log has been read to its end.
            Err(_) => Ok(None),
        }
    }
}

/// The reading thread: fills recycled buffers, cuts each after its last
/// newline and carries the partial line over into the next.
fn fill<R: Read>(mut reader: R, empty: &Receiver<Vec<u8>>, full: &SyncSender<io::Result<Vec<u8>>>) {
    let mut carry: Vec<u8> = Vec::new();
    let mut eof = false;
    while !eof {
        // No buffer coming back means the consumer is gone.
        let Ok(mut buf) = empty.recv() else { return };
        buf.clear();
        buf.extend_from_slice(&carry);
        carry.clear();
        let mut want = BLOCK.max(buf.len() + 1);
        let cut = loop {
            match read_up_to(&mut reader, &mut buf, want) {
                Ok(true) => {}
                Ok(false) => {
                    eof = true;
                    break buf.len();
                }
                Err(e) => {
                    let _ = full.send(Err(e));
                    return;
                }
            }
            match memchr::memrchr(b'\n', &buf) {
                Some(nl) => break nl + 1,
                // One line longer than the block: grow until it fits.
                None => want = buf.len() * 2,
            }
        };
        carry.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        if !buf.is_empty() && full.send(Ok(buf)).is_err() {
            return;
        }
    }
}

/// Reads until `buf` holds `want` bytes; `false` when the reader ended first.
fn read_up_to<R: Read>(reader: &mut R, buf: &mut Vec<u8>, want: usize) -> io::Result<bool> {
    let start = buf.len();
    buf.resize(want, 0);
    let mut at = start;
    while at < want {
        match reader.read(&mut buf[at..]) {
            Ok(0) => {
                buf.truncate(at);
                return Ok(false);
            }
            Ok(n) => at += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                buf.truncate(at);
                return Err(e);
            }
        }
    }
    Ok(true)
}

/// Lines of the first `end` bytes of a file, last line first, read backwards
/// in windows: `audit show --limit 20` of a million-event log reads its end only.
pub struct ReverseLines {
    file: File,
    /// Where the bytes not read yet end.
    pos: u64,
    /// Bytes from `pos` on that have not been handed out, ending at a line end.
    buf: Vec<u8>,
}

/// The window read backwards at a time: a few hundred events.
const WINDOW: u64 = 256 * 1024;

impl ReverseLines {
    pub fn new(file: File, end: u64) -> ReverseLines {
        ReverseLines {
            file,
            pos: end,
            buf: Vec::new(),
        }
    }

    /// The previous non-empty line, `None` before the first.
    pub fn next_line(&mut self) -> io::Result<Option<Vec<u8>>> {
        loop {
            if let Some(nl) = memchr::memrchr(b'\n', &self.buf) {
                let line = self.buf[nl + 1..].to_vec();
                self.buf.truncate(nl);
                if !line.is_empty() {
                    return Ok(Some(line));
                }
                continue;
            }
            if self.pos == 0 {
                if self.buf.is_empty() {
                    return Ok(None);
                }
                return Ok(Some(std::mem::take(&mut self.buf)));
            }
            let n = WINDOW.min(self.pos);
            self.pos -= n;
            let mut window = vec![0u8; n as usize];
            self.file.seek(SeekFrom::Start(self.pos))?;
            self.file.read_exact(&mut window)?;
            window.extend_from_slice(&self.buf);
            self.buf = window;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn all_blocks(data: Vec<u8>) -> Vec<Vec<u8>> {
        let mut r = BlockReader::spawn(io::Cursor::new(data));
        let mut out = Vec::new();
        while let Some(b) = r.next_block().unwrap() {
            out.push(b.to_vec());
        }
        out
    }

    #[test]
    fn blocks_hold_whole_lines_and_lose_nothing() {
        let mut data = Vec::new();
        for i in 0..300_000u32 {
            data.extend_from_slice(
                format!("line {i} {}\n", "x".repeat((i % 50) as usize)).as_bytes(),
            );
        }
        data.extend_from_slice(b"last without newline");
        let blocks = all_blocks(data.clone());
        assert!(blocks.len() > 1, "{} block(s)", blocks.len());
        for b in &blocks[..blocks.len() - 1] {
            assert_eq!(b.last(), Some(&b'\n'));
        }
        assert_eq!(blocks.concat(), data);
    }

    #[test]
    fn a_line_longer_than_a_block_comes_whole() {
        let mut data = b"short\n".to_vec();
        data.extend(std::iter::repeat_n(b'a', BLOCK * 2 + 7));
        data.extend_from_slice(b"\nend\n");
        let blocks = all_blocks(data.clone());
        assert_eq!(blocks.concat(), data);
        assert!(blocks.iter().any(|b| b.len() > BLOCK * 2));
    }

    #[test]
    fn an_empty_reader_has_no_blocks() {
        assert!(all_blocks(Vec::new()).is_empty());
    }

    #[test]
    fn reverse_lines_come_last_first_up_to_the_end_given() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let mut f = File::create(&path).unwrap();
        let mut expect = Vec::new();
        for i in 0..50_000u32 {
            let l = format!("{i}:{}", "y".repeat((i % 97) as usize));
            writeln!(f, "{l}").unwrap();
            if i % 1000 == 0 {
                writeln!(f).unwrap();
            }
            expect.push(l);
        }
        let end = f.metadata().unwrap().len();
        write!(f, "beyond the end").unwrap();
        let mut r = ReverseLines::new(File::open(&path).unwrap(), end);
        let mut got = Vec::new();
        while let Some(l) = r.next_line().unwrap() {
            got.push(String::from_utf8(l).unwrap());
        }
        got.reverse();
        assert_eq!(got, expect);
    }
}
