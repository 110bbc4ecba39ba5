//! Options objects from JavaScript, read with the same names and values as the CLI flags
//! (`--mode`, `--narrow`, `--pretty`, `--encoding`) and the HTTP API's query parameters.

use crate::error::usage;
use js_sys::{Function, Reflect};
use pdxedge_core::json::{Choice, JsonOptions};
use wasm_bindgen::{JsCast, JsValue};

/// Reads the properties of an options object; `undefined` or `null` means all defaults.
pub(crate) struct Reader<'a> {
    object: Option<&'a JsValue>,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(options: &'a JsValue) -> Result<Self, JsValue> {
        if options.is_undefined() || options.is_null() {
            return Ok(Reader { object: None });
        }
        if !options.is_object() {
            return Err(usage("options must be an object"));
        }
        Ok(Reader {
            object: Some(options),
        })
    }

    fn get(&self, key: &str) -> Result<Option<JsValue>, JsValue> {
        let Some(object) = self.object else {
            return Ok(None);
        };
        let value = Reflect::get(object, &JsValue::from_str(key))?;
        Ok((!value.is_undefined() && !value.is_null()).then_some(value))
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| usage(&format!("option {key} must be a string"))),
        }
    }

    pub(crate) fn boolean(&self, key: &str) -> Result<Option<bool>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| usage(&format!("option {key} must be true or false"))),
        }
    }

    /// A whole number from 0 to 2^32 - 1.
    pub(crate) fn integer(&self, key: &str) -> Result<Option<u32>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
                    Ok(Some(n as u32))
                }
                _ => Err(usage(&format!("option {key} must be a whole number"))),
            },
        }
    }

    pub(crate) fn function(&self, key: &str) -> Result<Option<Function>, JsValue> {
        match self.get(key)? {
            None => Ok(None),
            Some(v) => v
                .dyn_into::<Function>()
                .map(Some)
                .map_err(|_| usage(&format!("option {key} must be a function"))),
        }
    }

    /// A string option naming one of `T`'s choices.
    fn choice<T: Choice>(&self) -> Result<Option<T>, JsValue> {
        match self.string(T::OPTION)? {
            None => Ok(None),
            Some(value) => T::parse(&value)
                .map(Some)
                .map_err(|e| usage(&e.to_string())),
        }
    }
}

/// The JSON job's options: `mode`, `narrow`, `pretty`, `encoding`.
pub(crate) fn json(options: &Reader) -> Result<JsonOptions, JsValue> {
    let defaults = JsonOptions::default();
    Ok(JsonOptions {
        mode: options.choice()?.unwrap_or(defaults.mode),
        narrow: options.choice()?.unwrap_or(defaults.narrow),
        pretty: options.boolean("pretty")?.unwrap_or(defaults.pretty),
        encoding: options.choice()?.unwrap_or(defaults.encoding),
    })
}
