//! The three jobs over whole saves (`pdxedge_core::save` and `recompress`): zip-aware
//! JSON (streams), recompression and info (both need the whole input, as the CLI does).

use crate::error;
use crate::stream::Engine;
use js_sys::{Array, Object, Reflect};
use pdxedge_core::container::{ArchiveLimits, Hints, Save};
use pdxedge_core::recompress::{self, Format, RecompressOptions};
use pdxedge_core::save::{self, SaveInfo, SaveJson, SaveJsonOptions};
use wasm_bindgen::JsValue;

/// Zip, SAV, compressed or plain text in; JSON out, streamed as the input arrives (zip
/// entries are converted at the end, when the central directory has been read).
pub(crate) struct JsonJob(pub SaveJson);

impl JsonJob {
    pub(crate) fn new(options: SaveJsonOptions, file_name: Option<&str>) -> Self {
        let hints = Hints {
            file_name,
            brotli: false,
        };
        JsonJob(SaveJson::new(options, &hints))
    }
}

impl Engine for JsonJob {
    fn feed(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), JsValue> {
        self.0.feed(input, out).map_err(|e| error::container(&e))
    }

    fn finish(&mut self, emit: &mut dyn FnMut(&[u8])) -> Result<(), JsValue> {
        let mut out = Vec::new();
        self.0.finish(&mut out).map_err(|e| error::container(&e))?;
        emit(&out);
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
    pub(crate) fn new(options: RecompressOptions, file_name: Option<String>) -> Self {
        RecompressJob {
            input: Vec::new(),
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
        let mut out = Vec::new();
        recompress::recompress(&save, &self.options, &mut out, None)
            .map_err(|e| error::container(&e))?;
        for chunk in out.chunks(1 << 20) {
            emit(chunk);
        }
        Ok(())
    }
}

/// `format` as the HTTP API names it (`tar-br`, `zip-zstd`, `tar-zst`) or as the CLI does
/// (`tar.br`, `tar.zst`, `tar`).
pub(crate) fn format(name: &str) -> Result<Format, JsValue> {
    let cli_name = match name {
        "tar-br" => "tar.br",
        "tar-zst" => "tar.zst",
        other => other,
    };
    cli_name.parse().map_err(|_| {
        error::usage(&format!(
            "invalid format {name:?}: expected one of tar-br, zip-zstd, tar-zst"
        ))
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
