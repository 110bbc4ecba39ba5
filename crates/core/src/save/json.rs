//! JSON for a whole save, whatever its container.
//!
//! A single document (plain text, or text compressed as a whole with gzip, zstd or
//! brotli, or an uncompressed `SAV` save) gives exactly the [`Transcoder`]'s JSON. An
//! archive (a zip, or a `SAV` save holding a zip) gives one object keyed by entry name, in
//! archive order, each value exactly the [`Transcoder`]'s JSON for that entry:
//! `{"meta":{...},"gamestate":{...},"ai":{...}}`. Entries stream one after another;
//! none is held whole. With `entry` set, only that entry's JSON is written, bare.
//!
//! [`write_json`] converts a whole input held in memory; [`SaveJson`] takes the input in
//! chunks (a request body, stdin) and streams what can be streamed: text, gzip and brotli
//! convert as they arrive; zip, `SAV` and zstd inputs are held (compressed) until
//! [`SaveJson::finish`], then their entries stream.

use crate::container::gzip::GzipDecoder;
use crate::container::{
    self, ArchiveLimits, ContainerError, ContainerErrorKind, Envelope, Game, Hints, Save,
};
use crate::json::JsonOptions;
use crate::text::Limits;
use crate::{Error, ErrorKind, Position, Transcoder};
use std::io::Write;

/// How much inflated text is handed to the transcoder at a time.
pub const PIECE: usize = 64 << 10;

/// Options for [`write_json`] and [`SaveJson`].
#[derive(Debug, Clone, Default)]
pub struct SaveJsonOptions {
    pub json: JsonOptions,
    /// Only this entry, as bare JSON.
    pub entry: Option<String>,
    /// Nesting and token limits for the text.
    pub text_limits: Limits,
    pub archive_limits: ArchiveLimits,
    /// Group mode's fingerprint secret ([`Transcoder::set_group_seed`]).
    pub group_seed: u64,
}

/// Write the JSON for the whole input `input` to `out`.
pub fn write_json(
    input: &[u8],
    hints: &Hints,
    options: &SaveJsonOptions,
    out: &mut dyn Write,
) -> Result<(), ContainerError> {
    let save = Save::open(input, hints, &options.archive_limits)?;
    write_save_json(&save, options, out)
}

/// Write the JSON for an opened save to `out`.
pub fn write_save_json(
    save: &Save,
    options: &SaveJsonOptions,
    out: &mut dyn Write,
) -> Result<(), ContainerError> {
    let game = save.game_hint();
    if let Envelope::Sav(header) = save.envelope()
        && header.kind.is_binary()
    {
        return Err(container::binary_sav(game, container::sav::SAV_HEADER_LEN));
    }
    if let Some(name) = &options.entry {
        let index = save.find(name)?;
        return entry_json(save, index, options, game, save.limits().max_inflated, out).map(|_| ());
    }
    if !save.is_archive() {
        return entry_json(save, 0, options, game, save.limits().max_inflated, out).map(|_| ());
    }
    let pretty = options.json.pretty;
    let mut produced: u64 = 0;
    put(out, if pretty { b"{\n" } else { b"{" })?;
    for (i, entry) in save.entries().iter().enumerate() {
        if i > 0 {
            put(out, if pretty { b",\n" } else { b"," })?;
        }
        let mut key = Vec::with_capacity(entry.name.len() + 4);
        key.push(b'"');
        crate::text::encoding::push_escaped_utf8(&mut key, entry.name.as_bytes());
        key.extend_from_slice(if pretty { b"\": " } else { b"\":" });
        put(out, &key)?;
        let budget = save.limits().max_inflated.saturating_sub(produced);
        produced += entry_json(save, i, options, game, budget, out)?;
    }
    put(out, if pretty { b"\n}" } else { b"}" })
}

fn put(out: &mut dyn Write, bytes: &[u8]) -> Result<(), ContainerError> {
    out.write_all(bytes)
        .map_err(|e| ContainerErrorKind::Output(e).into())
}

/// Stream one entry through a transcoder; returns the inflated bytes read.
fn entry_json(
    save: &Save,
    index: usize,
    options: &SaveJsonOptions,
    game: Option<Game>,
    budget: u64,
    out: &mut dyn Write,
) -> Result<u64, ContainerError> {
    let name = save
        .entries()
        .get(index)
        .map(|e| e.name.clone())
        .unwrap_or_default();
    let label = |e: ContainerError| {
        if name.is_empty() {
            e
        } else {
            e.in_entry(&name)
        }
    };
    let mut reader = save.reader_with_budget(index, budget).map_err(label)?;
    let mut feed = TextFeed::new(options, game);
    feed.transcoder.set_max_group_input(budget);
    // The declared size, when the ratio limit would let it through, spares group mode a
    // doubling buffer; a lie is caught as the entry inflates.
    if let Some(entry) = save.entries().get(index)
        && let Some(size) = entry.size
        && save.limits().ratio_ok(size, entry.compressed_size)
    {
        feed.transcoder.input_len_hint(size);
    }
    let mut pending = Vec::with_capacity(PIECE * 2);
    reader
        .for_each_piece(PIECE, |piece| {
            feed.feed(piece, &mut pending)?;
            put(out, &pending)?;
            pending.clear();
            Ok(())
        })
        .map_err(label)?;
    feed.finish(out).map_err(label)?;
    Ok(reader.produced())
}

/// Feeds one document's text to a [`Transcoder`], first checking its head for binary
/// content and nested archives (which the transcoder would misreport as syntax errors).
struct TextFeed {
    transcoder: Transcoder,
    game: Option<Game>,
    head: Vec<u8>,
    checked: bool,
}

/// Bytes looked at before deciding a document is text.
const HEAD: usize = 4096;

impl TextFeed {
    fn new(options: &SaveJsonOptions, game: Option<Game>) -> Self {
        let mut transcoder = Transcoder::with_limits(options.json, options.text_limits);
        transcoder.set_group_seed(options.group_seed);
        // Group mode holds the text whole: bounded like inflated text.
        transcoder.set_max_group_input(options.archive_limits.max_inflated);
        TextFeed {
            transcoder,
            game,
            head: Vec::new(),
            checked: false,
        }
    }

    fn feed(&mut self, bytes: &[u8], pending: &mut Vec<u8>) -> Result<(), ContainerError> {
        if self.checked {
            return Ok(self.transcoder.feed(bytes, pending)?);
        }
        self.head.extend_from_slice(bytes);
        if self.head.len() >= HEAD {
            self.check_head()?;
            let head = std::mem::take(&mut self.head);
            self.transcoder.feed(&head, pending)?;
        }
        Ok(())
    }

    fn check_head(&mut self) -> Result<(), ContainerError> {
        self.checked = true;
        if let Some(what) = container::nested_archive(&self.head) {
            return Err(ContainerErrorKind::NestedArchive(what).into());
        }
        container::check_text(&self.head, self.game)
    }

    fn finish(&mut self, out: &mut dyn Write) -> Result<(), ContainerError> {
        let mut pending = Vec::new();
        if !self.checked {
            self.check_head()?;
            let head = std::mem::take(&mut self.head);
            self.transcoder.feed(&head, &mut pending)?;
            put(out, &pending)?;
        }
        let mut write_error = None;
        self.transcoder.finish_with(|chunk| {
            if write_error.is_none()
                && let Err(e) = out.write_all(chunk)
            {
                write_error = Some(e);
            }
        })?;
        match write_error {
            Some(e) => Err(ContainerErrorKind::Output(e).into()),
            None => Ok(()),
        }
    }
}

/// Converts a save to JSON from input chunks, streaming whatever can be streamed.
///
/// ```
/// use pdxedge_core::container::Hints;
/// use pdxedge_core::save::{SaveJson, SaveJsonOptions};
///
/// let mut conv = SaveJson::new(SaveJsonOptions::default(), &Hints::default());
/// let mut out = Vec::new();
/// conv.feed(b"EU4txt\ndate=14", &mut out)?;
/// conv.feed(b"44.11.11\n", &mut out)?;
/// conv.finish(&mut out)?;
/// assert_eq!(out, br#"{"date":"1444.11.11"}"#);
/// # Ok::<(), pdxedge_core::container::ContainerError>(())
/// ```
pub struct SaveJson {
    options: SaveJsonOptions,
    file_name: Option<String>,
    brotli: bool,
    state: State,
    fed: u64,
    input_len: u64,
}

enum State {
    Sniff(Vec<u8>),
    Text(Box<TextFeed>, Vec<u8>),
    Gzip(Box<GzipFeed>),
    Brotli(Box<brotli::DecompressorWriter<Inflated>>),
    Whole(Vec<u8>),
    Done,
}

/// The `Write` end of a streaming decoder: inflated bytes go to the text feed, JSON
/// collects in `pending` until the caller drains it.
struct Inflated {
    feed: TextFeed,
    pending: Vec<u8>,
    produced: u64,
    limits: ArchiveLimits,
}

impl Inflated {
    fn take(&mut self, buf: &[u8]) -> Result<(), ContainerError> {
        self.produced += buf.len() as u64;
        if self.produced > self.limits.max_inflated {
            return Err(ContainerErrorKind::TooLarge {
                size: self.produced,
                limit: self.limits.max_inflated,
            }
            .into());
        }
        self.feed.feed(buf, &mut self.pending)
    }
}

impl Write for Inflated {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.take(buf).map_err(ContainerError::into_io)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A gzip input inflating into the text feed as it arrives.
struct GzipFeed {
    decoder: GzipDecoder,
    /// Inflated bytes between the decoder and the feed.
    buf: Vec<u8>,
    sink: Inflated,
}

impl GzipFeed {
    fn write_all(&mut self, mut input: &[u8]) -> Result<(), ContainerError> {
        loop {
            let p = self.decoder.decode(input, &mut self.buf)?;
            input = input.get(p.consumed..).unwrap_or_default();
            self.sink
                .take(self.buf.get(..p.produced).unwrap_or_default())?;
            // No progress: all input taken and nothing more inflated from it.
            if p.consumed == 0 && p.produced == 0 {
                return Ok(());
            }
        }
    }
}

impl SaveJson {
    pub fn new(options: SaveJsonOptions, hints: &Hints) -> Self {
        SaveJson {
            options,
            file_name: hints.file_name.map(str::to_owned),
            brotli: hints.brotli,
            state: State::Sniff(Vec::new()),
            fed: 0,
            input_len: 0,
        }
    }

    /// The whole input's size, when the caller knows it: an input that must be held
    /// whole (zip, `SAV`, zstd) is then held in one allocation of that size instead of
    /// one that doubles as it grows (holding two copies while it is copied); plain text
    /// in group mode starts its held JSON at that size. Sizes over `archive_limits.max_input` (`max_inflated` for text) are
    /// ignored (the input is refused as it arrives).
    pub fn input_len_hint(&mut self, len: u64) {
        self.input_len = len;
    }

    fn hints(&self) -> Hints<'_> {
        Hints {
            file_name: self.file_name.as_deref(),
            brotli: self.brotli,
        }
    }

    /// Feed the next chunk of input; JSON produced so far is written to `out`.
    pub fn feed(&mut self, chunk: &[u8], out: &mut dyn Write) -> Result<(), ContainerError> {
        self.fed += chunk.len() as u64;
        match &mut self.state {
            State::Sniff(head) => {
                head.extend_from_slice(chunk);
                if head.len() >= container::SNIFF_LEN {
                    let head = std::mem::take(head);
                    self.start(&head, out)?;
                }
                Ok(())
            }
            State::Text(feed, pending) => {
                feed.feed(chunk, pending)?;
                put(out, pending)?;
                pending.clear();
                Ok(())
            }
            State::Gzip(d) => {
                let r = d.write_all(chunk);
                Self::after_write(r, &mut d.sink, self.fed, out)
            }
            State::Brotli(d) => {
                let r = d
                    .write_all(chunk)
                    .map_err(|e| ContainerError::from_io(e, "brotli"));
                Self::after_write(r, d.get_mut(), self.fed, out)
            }
            State::Whole(buf) => {
                if self.fed > self.options.archive_limits.max_input {
                    return Err(ContainerErrorKind::InputTooLarge {
                        size: self.fed,
                        limit: self.options.archive_limits.max_input,
                    }
                    .into());
                }
                buf.extend_from_slice(chunk);
                Ok(())
            }
            State::Done => Err(Error::new(ErrorKind::Finished, Position::default()).into()),
        }
    }

    fn after_write(
        result: Result<(), ContainerError>,
        sink: &mut Inflated,
        fed: u64,
        out: &mut dyn Write,
    ) -> Result<(), ContainerError> {
        result?;
        if !sink.limits.ratio_ok(sink.produced, fed) {
            return Err(ContainerErrorKind::RatioTooHigh {
                inflated: sink.produced,
                compressed: fed,
                limit: sink.limits.max_ratio,
            }
            .into());
        }
        put(out, &sink.pending)?;
        sink.pending.clear();
        Ok(())
    }

    fn start(&mut self, head: &[u8], out: &mut dyn Write) -> Result<(), ContainerError> {
        let envelope = container::sniff(head, &self.hints())?;
        let game = self.hints().file_name.and_then(Game::from_file_name);
        let single = !envelope.needs_whole_input();
        if single && let Some(name) = &self.options.entry {
            return Err(ContainerErrorKind::NoSuchEntry {
                name: name.clone(),
                available: Vec::new(),
            }
            .into());
        }
        let feed = TextFeed::new(&self.options, game);
        let inflated = |feed| Inflated {
            feed,
            pending: Vec::new(),
            produced: 0,
            limits: self.options.archive_limits,
        };
        self.state = match envelope {
            Envelope::Text => {
                let mut feed = feed;
                feed.transcoder.input_len_hint(self.input_len);
                State::Text(Box::new(feed), Vec::new())
            }
            Envelope::Gzip => State::Gzip(Box::new(GzipFeed {
                decoder: GzipDecoder::new(),
                buf: vec![0; PIECE],
                sink: inflated(feed),
            })),
            Envelope::Brotli => State::Brotli(Box::new(brotli::DecompressorWriter::new(
                inflated(feed),
                1 << 16,
            ))),
            Envelope::Zip | Envelope::Sav(_) | Envelope::Zstd => {
                let hint = match self.input_len {
                    n if n <= self.options.archive_limits.max_input => n,
                    _ => 0,
                };
                State::Whole(Vec::with_capacity(usize::try_from(hint).unwrap_or(0)))
            }
        };
        // Replay the sniffed bytes through the new state.
        self.fed -= head.len() as u64;
        self.feed(head, out)
    }

    /// Signal the end of input and write the rest of the JSON to `out`.
    pub fn finish(&mut self, out: &mut dyn Write) -> Result<(), ContainerError> {
        if let State::Sniff(head) = &mut self.state {
            let head = std::mem::take(head);
            self.start(&head, out)?;
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Sniff(_) => Ok(()),
            State::Text(mut feed, _) => feed.finish(out),
            State::Gzip(d) => {
                d.decoder.finish()?;
                let mut sink = d.sink;
                put(out, &sink.pending)?;
                sink.feed.finish(out)
            }
            State::Brotli(mut d) => {
                d.close()
                    .map_err(|e| ContainerError::from_io(e, "brotli"))?;
                let mut sink = d
                    .into_inner()
                    .map_err(|_| ContainerError::corrupt("brotli", "the stream is cut short"))?;
                put(out, &sink.pending)?;
                sink.feed.finish(out)
            }
            State::Whole(buf) => {
                let hints = Hints {
                    file_name: self.file_name.as_deref(),
                    brotli: self.brotli,
                };
                write_json(&buf, &hints, &self.options, out)
            }
            State::Done => Err(Error::new(ErrorKind::Finished, Position::default()).into()),
        }
    }
}
