//! The three jobs over whole saves (`pdxedge_core::save` and `recompress`): zip-aware
//! JSON (streams), recompression and info (both need the whole input, as the CLI does).

use crate::error;
use crate::stream::{Emitter, Engine};
use js_sys::{Array, Object, Reflect};
use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{self, Format, RecompressOptions};
use pdxedge_core::save::{self, SaveInfo, SaveJson, SaveJsonOptions};
use wasm_bindgen::JsValue;

/// Zip, SAV, compressed or plain text in; JSON out, streamed as the input arrives (zip
/// entries are converted at the end, when the central directory has been read).
pub(crate) struct JsonJob(pub SaveJson);

impl JsonJob {
    /// `input_len`: the input's size when it is known, so an archive is held in one
    /// allocation of its exact size.
    pub(crate) fn new(
        options: SaveJsonOptions,
        file_name: Option<&str>,
        input_len: Option<f64>,
    ) -> Self {
        let hints = Hints {
            file_name,
            brotli: false,
        };
        let mut conv = SaveJson::new(options, &hints);
        if let Some(len) = input_len {
            conv.input_len_hint(len as u64);
        }
        JsonJob(conv)
    }
}

impl Engine for JsonJob {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), JsValue> {
        self.0.feed(input, out).map_err(|e| error::container(&e))
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), JsValue> {
        let mut out = Emitter::new(emit);
        self.0.finish(&mut out).map_err(|e| error::container(&e))?;
        out.finish();
        Ok(())
    }
}

/// Recompression needs the archive whole (its directory is at the end, and the output's
/// sizes are known up front); input is gathered, then converted at the end.
pub(crate) struct RecompressJob {
    input: Vec<u8>,
    file_name: Option<String>,
    options: RecompressOptions,
}

impl RecompressJob {
    /// `input_len`: the input's size when it is known (the archive is then held in one
    /// allocation of its exact size, not a growing one that is copied as it doubles).
    pub(crate) fn new(
        options: RecompressOptions,
        file_name: Option<String>,
        input_len: Option<f64>,
    ) -> Self {
        RecompressJob {
            input: Vec::with_capacity(capacity(input_len)),
            file_name,
            options,
        }
    }
}

impl Engine for RecompressJob {
    fn feed(&mut self, input: &[u8], _out: &mut Vec<u8>) -> Result<(), JsValue> {
        let limit = ArchiveLimits::default().max_input;
        if self.input.len() as u64 + input.len() as u64 > limit {
            return Err(error::error(
                "input-too-large",
                &format!("the input is more than the limit of {limit} bytes"),
            ));
        }
        self.input.extend_from_slice(input);
        Ok(())
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), JsValue> {
        let hints = Hints {
            file_name: self.file_name.as_deref(),
            brotli: false,
        };
        let save = Save::open(&self.input, &hints, &recompress::default_limits())
            .map_err(|e| error::container(&e))?;
        let mut out = Emitter::new(emit);
        recompress::recompress(&save, &self.options, &mut out, None)
            .map_err(|e| error::container(&e))?;
        out.finish();
        Ok(())
    }
}

/// Bytes to reserve for holding an input of `len` bytes (none when it is unknown or over
/// the limit, which the job then reports as it arrives).
pub(crate) fn capacity(len: Option<f64>) -> usize {
    let limit = ArchiveLimits::default().max_input as f64;
    match len {
        Some(len) if len > 0.0 && len <= limit => len as usize,
        _ => 0,
    }
}

/// `format`, spelled as the core accepts it (`tar.br` or `tar-br`, ...); absent: the
/// core's default.
pub(crate) fn format(name: Option<&str>) -> Result<Format, JsValue> {
    name.map_or(Ok(Format::default()), |name| {
        name.parse()
            .map_err(|e| error::usage(&format!("invalid option format: {e}")))
    })
}

/// A save's description, as `pdxedge info --json` writes it.
pub(crate) fn info(input: &[u8], file_name: Option<&str>) -> Result<JsValue, JsValue> {
    let hints = Hints {
        file_name,
        brotli: false,
    };
    let info = save::inspect(input, &hints, &ArchiveLimits::default())
        .map_err(|e| error::container(&e))?;
    info_object(&info)
}

fn info_object(info: &SaveInfo) -> Result<JsValue, JsValue> {
    let o = Object::new();
    let text = |v: Option<&str>| v.map_or(JsValue::NULL, JsValue::from_str);
    let number = |v: Option<u64>| v.map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64));
    set(&o, "game", text(info.game.map(|g| g.code())))?;
    set(&o, "game_name", text(info.game.map(|g| g.name())))?;
    set(&o, "container", JsValue::from_str(info.container))?;
    let sav = match info.sav {
        Some((version, kind)) => {
            let s = Object::new();
            set(&s, "version", JsValue::from(version))?;
            set(&s, "kind", JsValue::from(kind))?;
            s.into()
        }
        None => JsValue::NULL,
    };
    set(&o, "sav", sav)?;
    set(&o, "binary", JsValue::from_bool(info.binary))?;
    set(&o, "encoding", text(info.encoding))?;
    set(&o, "header", text(info.header.as_deref()))?;
    set(&o, "version", text(info.version.as_deref()))?;
    set(&o, "date", text(info.date.as_deref()))?;
    set(&o, "player", text(info.player.as_deref()))?;
    set(&o, "player_name", text(info.player_name.as_deref()))?;
    set(
        &o,
        "ironman",
        info.ironman.map_or(JsValue::NULL, JsValue::from_bool),
    )?;
    set(&o, "checksum", text(info.checksum.as_deref()))?;
    set(&o, "size", JsValue::from_f64(info.input_size as f64))?;
    let entries = Array::new();
    for e in &info.entries {
        let entry = Object::new();
        set(&entry, "name", JsValue::from_str(&e.name))?;
        set(&entry, "compression", JsValue::from_str(e.codec.name()))?;
        set(
            &entry,
            "compressed_size",
            JsValue::from_f64(e.compressed_size as f64),
        )?;
        set(&entry, "size", number(e.size))?;
        set(&entry, "binary", JsValue::from_bool(e.binary))?;
        set(&entry, "header", text(e.header.as_deref()))?;
        entries.push(&entry);
    }
    set(&o, "entries", entries.into())?;
    Ok(o.into())
}

fn set(target: &Object, key: &str, value: JsValue) -> Result<(), JsValue> {
    Reflect::set(target, &JsValue::from_str(key), &value).map(|_| ())
}
