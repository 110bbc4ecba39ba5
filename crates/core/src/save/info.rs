//! What a save is, read from as little of it as possible.
//!
//! [`inspect`] lays out the container, looks at the first bytes of every entry (text or
//! binary, header line), then pulls a few top-level keys (date, version, player,
//! ironman, checksum) from the metadata entry, falling back to the first MiB of the
//! gamestate. Parsing stops as soon as the keys are found. Only an EU4 save whose
//! checksum is not in its metadata has its gamestate read to the end (the checksum is
//! its last line); a plain-text file is read at its tail directly.

use crate::container::{self, ArchiveLimits, Codec, ContainerError, Envelope, Game, Hints, Save};
use crate::error::ErrorKind;
use crate::text::{Limits, Operator, Parser, Sink, SinkResult};

/// Text read from a document's head when looking for metadata keys.
pub const HEAD_BUDGET: u64 = 1 << 20;
/// Bytes at the end of a document searched for an EU4 `checksum`.
pub const TAIL_LEN: usize = 4096;

/// What `pdxedge info` reports. Fields the save does not say are `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveInfo {
    pub game: Option<Game>,
    /// `text`, `zip`, `sav`, `gzip`, `zstd` or `brotli`.
    pub container: &'static str,
    /// The `SAV` line's version and kind code, for `SAV` saves.
    pub sav: Option<(u8, u8)>,
    /// Is the save's content binary (ironman)?
    pub binary: bool,
    /// `utf-8`, `windows-1252` or `ascii`, of the main document's text.
    pub encoding: Option<&'static str>,
    /// The first-line header (`EU4txt`), if any.
    pub header: Option<String>,
    pub version: Option<String>,
    pub date: Option<String>,
    /// The player's country tag (EU4, HOI4) or character (CK3).
    pub player: Option<String>,
    /// The player's country, empire or title name, when the save gives one.
    pub player_name: Option<String>,
    pub ironman: Option<bool>,
    pub checksum: Option<String>,
    pub input_size: u64,
    pub entries: Vec<EntryInfo>,
}

/// One entry of an archive (or the single document).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    pub name: String,
    pub codec: Codec,
    pub compressed_size: u64,
    /// Inflated size (declared by the archive, or measured when it was read whole).
    pub size: Option<u64>,
    pub binary: bool,
    pub header: Option<String>,
}

/// Inspect a whole input.
pub fn inspect(
    input: &[u8],
    hints: &Hints,
    limits: &ArchiveLimits,
) -> Result<SaveInfo, ContainerError> {
    let envelope = container::sniff(input, hints)?;
    if envelope == Envelope::Text {
        let tail = input
            .get(input.len().saturating_sub(TAIL_LEN)..)
            .unwrap_or_default();
        return Ok(inspect_text(input, tail, input.len() as u64, hints));
    }
    let save = Save::open(input, hints, limits)?;
    let mut info = SaveInfo {
        game: save.game_hint(),
        container: save.envelope().name(),
        input_size: input.len() as u64,
        ..SaveInfo::default()
    };
    if let Envelope::Sav(h) = save.envelope() {
        info.sav = Some((h.version, h.kind.code()));
        info.binary = h.kind.is_binary();
    }
    let mut heads = Vec::new();
    for (i, entry) in save.entries().iter().enumerate() {
        let head = read_head(&save, i, 64)?;
        let binary = container::binary_format(&head, None).is_some();
        let header = header_token(&head);
        info.entries.push(EntryInfo {
            name: entry.name.clone(),
            codec: entry.codec,
            compressed_size: entry.compressed_size,
            size: entry.size,
            binary,
            header: header.clone(),
        });
        if binary {
            info.binary = true;
        }
        heads.push((i, head));
    }
    // Metadata first, then the documents most likely to hold the keys.
    let mut order: Vec<usize> = (0..save.entries().len()).collect();
    order.sort_by_key(|&i| rank(entry_name(&save, i)));
    let mut fields = Fields::default();
    let mut main_doc = None;
    for &i in &order {
        let Some(entry) = info.entries.get(i) else {
            continue;
        };
        let is_meta = entry.name == "meta";
        if entry.binary || !fields.wants_more() || rank(&entry.name) >= 3 {
            continue;
        }
        let (text, size) = read_text(&save, i, HEAD_BUDGET, &mut fields)?;
        if let (Some(size), Some(entry)) = (size, info.entries.get_mut(i)) {
            entry.size.get_or_insert(size);
        }
        if main_doc.is_none() || !is_meta {
            main_doc = Some((i, text));
        }
    }
    if let Some((i, text)) = main_doc
        && let Some(entry) = info.entries.get(i)
    {
        info.header = entry.header.clone();
        info.encoding = Some(encoding_of(entry.header.as_deref(), &text));
    }
    fields.game_from_headers(info.entries.iter().filter_map(|e| e.header.as_deref()));
    // EU4 writes the save's checksum as the gamestate's last line.
    if fields.checksum.is_none()
        && info.game.or(fields.game) == Some(Game::Eu4)
        && let Some(&i) = order.iter().find(|&&i| {
            info.entries
                .get(i)
                .is_some_and(|e| !e.binary && rank(&e.name) == 1)
        })
    {
        let tail = read_tail(&save, i)?;
        fields.checksum = find_checksum(&tail);
    }
    fields.resolve_game(&mut info);
    if info.game.is_none() {
        info.game = guess_from_entries(&save);
    }
    if info.game == Some(Game::Stellaris) && info.entries.iter().all(|e| e.name != "meta") {
        info.game = None;
    }
    // A sample can look ASCII where the rest is not; the game says what it writes.
    if let (Some(game), false) = (info.game, info.binary) {
        info.encoding = Some(game.encoding());
    }
    fields.apply(&mut info);
    Ok(info)
}

/// Inspect a plain-text document from its head (at least [`HEAD_BUDGET`] bytes when the
/// document is that long) and its last bytes (`tail`, up to [`TAIL_LEN`]).
pub fn inspect_text(head: &[u8], tail: &[u8], total_len: u64, hints: &Hints) -> SaveInfo {
    let header = header_token(head);
    let binary = container::binary_format(head, None).is_some();
    let mut info = SaveInfo {
        game: hints.file_name.and_then(Game::from_file_name),
        container: "text",
        binary,
        header: header.clone(),
        input_size: total_len,
        entries: vec![EntryInfo {
            name: String::new(),
            codec: Codec::Stored,
            compressed_size: total_len,
            size: Some(total_len),
            binary,
            header: header.clone(),
        }],
        ..SaveInfo::default()
    };
    if binary {
        if let Some(g) = header.as_deref().and_then(game_of_header) {
            info.game = Some(g);
        }
        return info;
    }
    let mut fields = Fields::default();
    let budget = head.len().min(HEAD_BUDGET as usize);
    scan(head.get(..budget).unwrap_or_default(), &mut fields);
    fields.game_from_headers(header.as_deref());
    if fields.checksum.is_none() {
        fields.checksum = find_checksum(tail);
    }
    info.encoding = Some(encoding_of(header.as_deref(), head));
    fields.resolve_game(&mut info);
    fields.apply(&mut info);
    info
}

/// Lower ranks are read first: metadata, then the gamestate, then anything else
/// that is not known to be useless here.
fn rank(name: &str) -> u8 {
    match name {
        "meta" => 0,
        "" | "gamestate" => 1,
        "ai" | "rnw.zip" => 3,
        n if n.ends_with(".txt") => 3,
        _ => 1,
    }
}

fn read_head(save: &Save, index: usize, n: usize) -> Result<Vec<u8>, ContainerError> {
    let mut reader = save.reader(index)?;
    let mut head = vec![0u8; n];
    let mut filled = 0;
    while filled < n {
        let got = reader
            .read_checked(head.get_mut(filled..).unwrap_or_default())
            .map_err(|e| e.in_entry(entry_name(save, index)))?;
        if got == 0 {
            break;
        }
        filled += got;
    }
    head.truncate(filled);
    Ok(head)
}

fn entry_name<'s>(save: &'s Save, index: usize) -> &'s str {
    save.entries().get(index).map_or("", |e| e.name.as_str())
}

/// Parse up to `budget` bytes of entry `index` into `fields`; returns the text read
/// (for the encoding guess) and the entry's size if it was read to the end.
fn read_text(
    save: &Save,
    index: usize,
    budget: u64,
    fields: &mut Fields,
) -> Result<(Vec<u8>, Option<u64>), ContainerError> {
    let name = entry_name(save, index);
    let mut reader = save.reader(index).map_err(|e| e.in_entry(name))?;
    let mut parser = Parser::new(Limits::default());
    let mut sample = Vec::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut first = true;
    let mut read: u64 = 0;
    fields.reset_document();
    fields.read_whole = name == "meta";
    loop {
        let n = reader
            .read_checked(&mut buf)
            .map_err(|e| e.in_entry(name))?;
        if n == 0 {
            let _ = parser.finish(fields);
            return Ok((sample, Some(reader.produced())));
        }
        let mut chunk = buf.get(..n).unwrap_or_default();
        if first {
            first = false;
            chunk = skip_prelude(chunk);
        }
        if sample.len() < 64 << 10 {
            sample.extend_from_slice(chunk);
        }
        read += n as u64;
        let stop = !fields.read_whole && !fields.wants_more();
        if parser.feed(chunk, fields).is_err() || stop || read >= budget {
            return Ok((sample, None));
        }
    }
}

/// Inflate entry `index` to its end, keeping its last [`TAIL_LEN`] bytes.
fn read_tail(save: &Save, index: usize) -> Result<Vec<u8>, ContainerError> {
    let mut reader = save.reader(index)?;
    let mut tail: Vec<u8> = Vec::with_capacity(2 * TAIL_LEN);
    reader.for_each_piece(64 << 10, |piece| {
        if piece.len() >= TAIL_LEN {
            tail.clear();
            tail.extend_from_slice(piece.get(piece.len() - TAIL_LEN..).unwrap_or_default());
        } else {
            tail.extend_from_slice(piece);
            let excess = tail.len().saturating_sub(TAIL_LEN);
            tail.drain(..excess);
        }
        Ok(())
    })?;
    Ok(tail)
}

/// Parse a whole in-memory head into `fields`.
fn scan(text: &[u8], fields: &mut Fields) {
    let mut parser = Parser::new(Limits::default());
    fields.reset_document();
    if parser.feed(skip_prelude(text), fields).is_ok() {
        let _ = parser.finish(fields);
    }
}

/// Drop a BOM and a first-line header such as `EU4txt`, which the parser does not know.
fn skip_prelude(text: &[u8]) -> &[u8] {
    let body = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
    match container::header_line(body) {
        Some((token, _)) => body.get(token.len()..).unwrap_or_default(),
        None => body,
    }
}

/// The first-line header token (`EU4txt`, `CK3bin`, ...), if the text starts with one.
fn header_token(head: &[u8]) -> Option<String> {
    container::header_line(head).map(|(token, _)| String::from_utf8_lossy(token).into_owned())
}

fn game_of_header(header: &str) -> Option<Game> {
    let prefix = header.get(..header.len().saturating_sub(3))?;
    Game::from_header_prefix(prefix.as_bytes())
}

fn encoding_of(header: Option<&str>, text: &[u8]) -> &'static str {
    if text.starts_with(b"\xEF\xBB\xBF") {
        return "utf-8";
    }
    match header.and_then(game_of_header) {
        Some(Game::Eu3 | Game::Eu4 | Game::Eu5 | Game::Ck2) => return "windows-1252",
        Some(_) => return "utf-8",
        None => {}
    }
    if text.is_ascii() {
        "ascii"
    } else {
        // A cut in the middle of a UTF-8 sequence at the end of the sample is not an error.
        match std::str::from_utf8(text) {
            Ok(_) => "utf-8",
            Err(e) if e.error_len().is_none() => "utf-8",
            Err(_) => "windows-1252",
        }
    }
}

/// A string from the save, decoded as the engine's JSON decodes it: Windows-1252 for a
/// Windows-1252 save; otherwise UTF-8 when it is valid, else Windows-1252.
fn decode(bytes: &[u8], encoding: Option<&str>) -> String {
    let utf8 = std::str::from_utf8(bytes).ok();
    match (encoding, utf8) {
        (Some("windows-1252"), _) | (_, None) => bytes
            .iter()
            .map(|&b| crate::text::encoding::windows1252_char(b))
            .collect(),
        (_, Some(s)) => s.to_owned(),
    }
}

/// `checksum="..."` on a line of its own near the end of an EU4 gamestate.
fn find_checksum(tail: &[u8]) -> Option<String> {
    let at = memchr::memmem::rfind(tail, b"checksum=\"")?;
    if at > 0 && !matches!(tail.get(at - 1), Some(b'\n' | b'\r' | b' ' | b'\t' | b'}')) {
        return None;
    }
    let rest = tail.get(at + 10..)?;
    let end = memchr::memchr(b'"', rest)?;
    let value = rest.get(..end)?;
    (!value.is_empty() && value.len() <= 128 && value.iter().all(u8::is_ascii_alphanumeric))
        .then(|| String::from_utf8_lossy(value).into_owned())
}

fn guess_from_entries(save: &Save) -> Option<Game> {
    let names: Vec<&str> = save.entries().iter().map(|e| e.name.as_str()).collect();
    if names.contains(&"ai") && names.contains(&"meta") && names.contains(&"gamestate") {
        return Some(Game::Eu4);
    }
    names
        .iter()
        .find_map(|n| Game::from_file_name(n).filter(|g| *g != Game::Stellaris))
}

/// The keys `pdxedge info` wants, gathered from a [`Parser`]'s tokens at the top level
/// (and inside CK3/Vic3's `meta_data` and EU4's `savegame_version`).
#[derive(Debug, Default)]
struct Fields {
    // Raw bytes: decoded by `apply` with the save's encoding.
    version: Option<Vec<u8>>,
    version_parts: [Option<String>; 4],
    date: Option<Vec<u8>>,
    player: Option<Vec<u8>>,
    player_name: Option<Vec<u8>>,
    ironman: Option<bool>,
    checksum: Option<String>,
    game: Option<Game>,
    stellaris_hint: bool,
    ck3_hint: bool,
    /// Read the document to its end (small metadata entries), not just until the main
    /// keys are found.
    read_whole: bool,
    frames: Vec<Frame>,
    key: Option<Vec<u8>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    MetaData,
    SavegameVersion,
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    context: Context,
    object: bool,
    expect_key: bool,
    /// The key this frame's pending value belongs to is kept in `Fields::key` only at
    /// interesting depths; elsewhere keys are skipped.
    has_key: bool,
}

impl Fields {
    fn reset_document(&mut self) {
        self.frames.clear();
        self.frames.push(Frame {
            context: Context::Root,
            object: true,
            expect_key: true,
            has_key: false,
        });
        self.key = None;
    }

    fn wants_more(&self) -> bool {
        self.date.is_none()
            || (self.version.is_none() && self.version_parts[0].is_none())
            || (self.player.is_none() && self.player_name.is_none())
    }

    fn top(&mut self) -> Option<&mut Frame> {
        self.frames.last_mut()
    }

    fn interesting(context: Context) -> bool {
        matches!(
            context,
            Context::Root | Context::MetaData | Context::SavegameVersion
        )
    }

    fn record(&mut self, context: Context, key: &[u8], value: &[u8]) {
        let text = || Some(String::from_utf8_lossy(value).into_owned());
        // Names are decoded once the save's encoding is known (see `apply`).
        let raw = || Some(value.to_vec());
        let flag = || match value {
            b"yes" => Some(true),
            b"no" => Some(false),
            _ => None,
        };
        match (context, key) {
            (Context::SavegameVersion, b"first") => self.version_parts[0] = text(),
            (Context::SavegameVersion, b"second") => self.version_parts[1] = text(),
            (Context::SavegameVersion, b"third") => self.version_parts[2] = text(),
            (Context::SavegameVersion, b"forth" | b"fourth") => self.version_parts[3] = text(),
            (Context::SavegameVersion, _) => {}
            (_, b"version") if self.version.is_none() => {
                self.version = raw();
            }
            (_, b"date" | b"meta_date" | b"game_date") if self.date.is_none() => {
                self.date = raw();
            }
            (_, b"player" | b"meta_player_name") => {
                self.ck3_hint |= key == b"meta_player_name";
                if self.player.is_none() {
                    self.player = raw();
                }
            }
            (Context::Root, b"displayed_country_name")
            | (Context::MetaData, b"meta_title_name" | b"player_country_name")
                if self.player_name.is_none() =>
            {
                self.player_name = raw();
            }
            (Context::Root, b"name") if self.player_name.is_none() => {
                self.player_name = raw();
            }
            (_, b"ironman" | b"is_ironman") if self.ironman.is_none() => {
                self.ironman = flag();
            }
            // Each EU4 entry carries its own checksum; the save's is the gamestate's.
            (_, b"checksum") if self.checksum.is_none() && !self.read_whole => {
                self.checksum = text();
            }
            (Context::Root, b"meta_fleets" | b"version_control_revision") => {
                self.stellaris_hint = true;
            }
            (Context::MetaData, b"portraits_version") => self.ck3_hint = true,
            _ => {}
        }
    }

    fn open(&mut self, object: bool) -> SinkResult {
        let parent = self.frames.last().copied();
        let context = match (parent, self.key.as_deref()) {
            (Some(p), Some(b"meta_data")) if p.context == Context::Root => Context::MetaData,
            (Some(p), Some(b"savegame_version")) if p.context == Context::Root => {
                Context::SavegameVersion
            }
            _ => Context::Other,
        };
        self.key = None;
        self.frames.push(Frame {
            context,
            object,
            expect_key: true,
            has_key: false,
        });
        Ok(())
    }

    fn game_from_headers<'a>(&mut self, headers: impl IntoIterator<Item = &'a str>) {
        if self.game.is_none() {
            self.game = headers.into_iter().find_map(game_of_header);
        }
    }

    /// Decode the strings found with the save's encoding (`info.encoding`, so set it
    /// first) and fill in `info`.
    fn apply(self, info: &mut SaveInfo) {
        let encoding = info.encoding;
        let text = |raw: Option<Vec<u8>>| raw.map(|bytes| decode(&bytes, encoding));
        info.version = text(self.version).or_else(|| {
            let parts: Vec<&str> = self
                .version_parts
                .iter()
                .map_while(|p| p.as_deref())
                .collect();
            (!parts.is_empty()).then(|| parts.join("."))
        });
        info.date = text(self.date);
        info.player = text(self.player);
        info.player_name = text(self.player_name);
        info.ironman = self.ironman;
        info.checksum = self.checksum;
    }

    /// The game, when the file name did not say: from the headers and keys seen.
    fn resolve_game(&self, info: &mut SaveInfo) {
        if info.game.is_none() {
            info.game = self.game.or(if self.stellaris_hint {
                Some(Game::Stellaris)
            } else if self.ck3_hint {
                Some(Game::Ck3)
            } else {
                None
            });
        }
    }
}

impl Sink for Fields {
    fn open_object(&mut self) -> SinkResult {
        self.open(true)
    }

    fn open_array(&mut self) -> SinkResult {
        self.open(false)
    }

    fn close(&mut self) -> SinkResult {
        if self.frames.len() > 1 {
            self.frames.pop();
        }
        if let Some(top) = self.top() {
            top.expect_key = true;
            top.has_key = false;
        }
        self.key = None;
        Ok(())
    }

    fn scalar(&mut self, bytes: &[u8], _quoted: bool, _then_op: bool) -> SinkResult {
        let Some(&frame) = self.frames.last() else {
            return Ok(());
        };
        if !frame.object {
            return Ok(());
        }
        if frame.expect_key {
            if Self::interesting(frame.context) {
                self.key = Some(bytes.to_vec());
            }
            if let Some(top) = self.top() {
                top.expect_key = false;
                top.has_key = true;
            }
            return Ok(());
        }
        if let Some(key) = self.key.take() {
            self.record(frame.context, &key, bytes);
        }
        if let Some(top) = self.top() {
            top.expect_key = true;
            top.has_key = false;
        }
        // Stop the parser once everything is found (the error is the stop signal).
        if frame.context == Context::Root && !self.read_whole && !self.wants_more() {
            return Err(ErrorKind::Finished);
        }
        Ok(())
    }

    fn header(&mut self, _name: &[u8]) -> SinkResult {
        Ok(())
    }

    fn parameter(&mut self, _name: &[u8], _defined: bool) -> SinkResult {
        if let Some(top) = self.top() {
            top.object = false;
        }
        Ok(())
    }

    fn operator(&mut self, _op: Operator, _then_op: bool) -> SinkResult {
        Ok(())
    }

    fn mixed(&mut self) -> SinkResult {
        if let Some(top) = self.top() {
            top.object = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eu4_meta_fields() {
        let text = b"EU4txt\ndate=1444.11.11\nsave_game=\".eu4\"\nplayer=\"KOR\"\ndisplayed_country_name=\"Korea\"\nsavegame_version={\n\tfirst=1\n\tsecond=37\n\tthird=5\n\tforth=0\n\tname=\"Inca\"\n}\nironman=yes\nchecksum=\"e6aff24f\"";
        let info = inspect_text(text, text, text.len() as u64, &Hints::default());
        assert_eq!(info.game, Some(Game::Eu4));
        assert_eq!(info.date.as_deref(), Some("1444.11.11"));
        assert_eq!(info.player.as_deref(), Some("KOR"));
        assert_eq!(info.player_name.as_deref(), Some("Korea"));
        assert_eq!(info.version.as_deref(), Some("1.37.5.0"));
        assert_eq!(info.checksum.as_deref(), Some("e6aff24f"));
        assert_eq!(info.encoding, Some("windows-1252"));
        assert_eq!(info.header.as_deref(), Some("EU4txt"));
    }

    #[test]
    fn ck3_meta_data_fields() {
        let text = b"meta_data={\n\tsave_game_version=3\n\tversion=\"1.0.3\"\n\tportraits_version=3\n\tmeta_date=1066.9.15\n\tmeta_player_name=\"Chieftain Botulf\"\n\tmeta_title_name=\"Chiefdom of Jamtaland\"\n}\nironman=no\n";
        let info = inspect_text(text, text, text.len() as u64, &Hints::default());
        assert_eq!(info.game, Some(Game::Ck3));
        assert_eq!(info.version.as_deref(), Some("1.0.3"));
        assert_eq!(info.date.as_deref(), Some("1066.9.15"));
        assert_eq!(info.player.as_deref(), Some("Chieftain Botulf"));
        assert_eq!(info.player_name.as_deref(), Some("Chiefdom of Jamtaland"));
        assert_eq!(info.encoding, Some("ascii"));
    }

    #[test]
    fn nested_keys_are_not_top_level() {
        let text = b"country={ date=1.1.1 player=\"X\" }\ndate=2.2.2\n";
        let info = inspect_text(text, text, text.len() as u64, &Hints::default());
        assert_eq!(info.date.as_deref(), Some("2.2.2"));
        assert_eq!(info.player, None);
    }

    #[test]
    fn windows_1252_names_are_decoded() {
        // "Österreich" and "Fran\xe7ois" as EU4 writes them (Windows-1252), not UTF-8.
        let text = b"EU4txt\ndate=1444.11.11\nplayer=\"HAB\"\ndisplayed_country_name=\"\xd6sterreich\"\nsavegame_version={ first=1 second=37 }\n";
        let info = inspect_text(text, text, text.len() as u64, &Hints::default());
        assert_eq!(info.encoding, Some("windows-1252"));
        assert_eq!(info.player_name.as_deref(), Some("\u{d6}sterreich"));
        // A UTF-8 save keeps its UTF-8; bytes that are not UTF-8 fall back to 1252.
        let ck3 = "meta_data={ version=\"1.0\" meta_date=1066.9.15 meta_player_name=\"Fran\u{e7}ois\" }\n";
        let info = inspect_text(ck3.as_bytes(), b"", ck3.len() as u64, &Hints::default());
        assert_eq!(info.player.as_deref(), Some("Fran\u{e7}ois"));
        assert_eq!(decode(b"Fran\xe7ois", Some("utf-8")), "Fran\u{e7}ois");
        assert_eq!(
            decode(b"\xe2\x82\xac", Some("windows-1252")),
            "\u{e2}\u{201a}\u{ac}"
        );
    }

    #[test]
    fn checksum_must_start_a_line() {
        assert_eq!(
            find_checksum(b"x\nchecksum=\"abc123\"\n"),
            Some("abc123".into())
        );
        assert_eq!(find_checksum(b"xchecksum=\"abc\""), None);
        assert_eq!(find_checksum(b"\nchecksum=\"a b\""), None);
    }
}
