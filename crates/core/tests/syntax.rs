//! One test per construct of the text syntax the games and mods use, with the JSON it
//! must give (default options: preserve, narrowing all, compact).

use pdxedge_core::json::JsonOptions;
use pdxedge_core::{Encoding, to_json};

fn json(input: &[u8]) -> String {
    json_with(input, JsonOptions::default())
}

fn json_with(input: &[u8], options: JsonOptions) -> String {
    let out = to_json(input, options).unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).expect("UTF-8 JSON")
}

#[test]
fn operators_with_and_without_spaces() {
    assert_eq!(
        json(b"a=1 b = 2 c<3 d <= 4 e>5 f >= 6 g!=7 h != 8 i==9 j == 10 k?=11 l ?= 12"),
        concat!(
            r#"{"a":1,"b":2,"c":{"LESS_THAN":3},"d":{"LESS_THAN_EQUAL":4},"#,
            r#""e":{"GREATER_THAN":5},"f":{"GREATER_THAN_EQUAL":6},"g":{"NOT_EQUAL":7},"#,
            r#""h":{"NOT_EQUAL":8},"i":{"EXACT":9},"j":{"EXACT":10},"k":{"EXISTS":11},"#,
            r#""l":{"EXISTS":12}}"#
        )
    );
}

#[test]
fn quoted_strings_with_escapes_and_newlines() {
    assert_eq!(
        json(b"a = \"two\nlines\" b = \"say \\\"hi\\\"\" c = \"tab\\there\" d = \"\""),
        r#"{"a":"two\nlines","b":"say \"hi\"","c":"tabthere","d":""}"#
    );
}

#[test]
fn unquoted_scalars() {
    assert_eq!(
        json(
            "id = flavor_tur.8 who = c:RUS v = @var w = @[1-x] p = $PARAM$ s = value:a|B| n = Köln"
                .as_bytes()
        ),
        r#"{"id":"flavor_tur.8","who":"c:RUS","v":"@var","w":"@[1-x]","p":"$PARAM$","s":"value:a|B|","n":"Köln"}"#
    );
}

#[test]
fn comments_also_glued() {
    assert_eq!(
        json(b"# leading\na = 1 # trailing\nb = 2#glued\nc = { 3 #inside }\n 4 }"),
        r#"{"a":1,"b":2,"c":[3,4]}"#
    );
}

#[test]
fn whitespace_semicolons_vertical_tab_form_feed_crlf() {
    assert_eq!(
        json(b"a = 1;b = 2\x0bc = 3\x0cd = 4\r\ne = 5\r\n"),
        r#"{"a":1,"b":2,"c":3,"d":4,"e":5}"#
    );
}

#[test]
fn utf8_bom_is_skipped_and_means_utf8() {
    assert_eq!(
        json("\u{feff}name = \"Ærø\"".as_bytes()),
        r#"{"name":"Ærø"}"#
    );
}

#[test]
fn headers_in_objects() {
    assert_eq!(
        json(b"a = rgb { 1 2 3 } b = hsv { 0.1 0.5 1.0 } c = hsv360 { 10 20 30 } d = hex { 00ff00 } e = cylindrical { 1 2 3 } f = LIST { x y } g = anything { k = v }"),
        concat!(
            r#"{"a":{"rgb":[1,2,3]},"b":{"hsv":[0.1,0.5,1.0]},"c":{"hsv360":[10,20,30]},"#,
            r#""d":{"hex":["00ff00"]},"e":{"cylindrical":[1,2,3]},"f":{"LIST":["x","y"]},"#,
            r#""g":{"anything":{"k":"v"}}}"#
        )
    );
}

#[test]
fn headers_in_arrays() {
    assert_eq!(
        json(b"colors = { rgb { 1 2 3 } hsv { 0 0 0 } }"),
        r#"{"colors":[{"rgb":[1,2,3]},{"hsv":[0,0,0]}]}"#
    );
}

#[test]
fn empty_and_ghost_objects() {
    assert_eq!(
        json(b"a = {} b = { {} c = d } e = f {} g = { }"),
        r#"{"a":[],"b":{"c":"d"},"e":"f","g":[]}"#
    );
}

#[test]
fn arrays_arrays_of_objects_nested_arrays() {
    assert_eq!(
        json(b"a = { 1 2 } b = { { x = 1 } { x = 2 } } c = { { 1 2 } { 3 } }"),
        r#"{"a":[1,2],"b":[{"x":1},{"x":2}],"c":[[1,2],[3]]}"#
    );
}

#[test]
fn mixed_containers() {
    assert_eq!(
        json(b"m = { a=b 10 c=d }"),
        r#"{"m":{"a":"b","remainder":[10,{"c":"d"}]}}"#
    );
    assert_eq!(json(b"m = { 10 0=2 1=2 }"), r#"{"m":[10,{"0":2},{"1":2}]}"#);
}

#[test]
fn object_templates() {
    assert_eq!(
        json(b"obj = { { a = b } = { 1 2 3 } }"),
        r#"{"obj":[{"a":"b"},[1,2,3]]}"#
    );
}

#[test]
fn eu4_parameter_blocks() {
    assert_eq!(
        json(b"effect = { [[scaled] add = $scaled$ ] [[!scaled] add = 1 ] [[value] $value$] }"),
        r#"{"effect":{"[scaled]":{"add":"$scaled$"},"[!scaled]":{"add":1},"[value]":"$value$"}}"#
    );
}

#[test]
fn stray_closing_brace_at_root() {
    assert_eq!(json(b"a = 1 } b = 2"), r#"{"a":1,"b":2}"#);
}

#[test]
fn missing_closing_brace_at_end() {
    assert_eq!(json(b"a = { b = 1 c = 2"), r#"{"a":{"b":1,"c":2}}"#);
}

#[test]
fn values_without_keys_at_the_end_of_the_root() {
    // EU3 saves end with a checksum line: the root turns mixed, as an object does.
    let eu3 = b"date=\"1572.8.1\"\r\nflags={ a=1 }\r\nff025935825e92916e5b093f20223801";
    assert_eq!(
        json(eu3),
        r#"{"date":"1572.8.1","flags":{"a":1},"remainder":["ff025935825e92916e5b093f20223801"]}"#
    );
    assert_eq!(json(b"a=1 x y"), r#"{"a":1,"remainder":["x","y"]}"#);
    assert_eq!(
        json(b"value1\nvalue2"),
        r#"{"remainder":["value1","value2"]}"#
    );
    assert_eq!(json(b"a=1 \"q\""), r#"{"a":1,"remainder":["q"]}"#);
    let group = JsonOptions {
        mode: pdxedge_core::json::DuplicateKeyMode::Group,
        ..Default::default()
    };
    assert_eq!(
        json_with(b"a=1 b=2 a=3 x", group),
        r#"{"a":[1,3],"b":2,"remainder":["x"]}"#
    );
    // In every chunking, also with the value split across feeds.
    for split in 1..eu3.len() {
        let mut t = pdxedge_core::Transcoder::new(JsonOptions::default());
        let mut out = Vec::new();
        t.feed(&eu3[..split], &mut out).unwrap();
        t.feed(&eu3[split..], &mut out).unwrap();
        t.finish(&mut out).unwrap();
        assert_eq!(out, json(eu3).as_bytes(), "split at {split}");
    }
    // Still errors: a missing value, and a key at the end of an open object.
    assert!(to_json(b"a=1 x=", JsonOptions::default()).is_err());
    assert!(to_json(b"o={ a=1 x", JsonOptions::default()).is_err());
}

#[test]
fn first_line_headers() {
    for header in ["EU4txt", "HOI4txt", "CK2txt", "CK3txt"] {
        let input = format!("{header}\ndate = 1444.11.11\n");
        assert_eq!(
            json(input.as_bytes()),
            r#"{"date":"1444.11.11"}"#,
            "{header}"
        );
    }
}

#[test]
fn encodings() {
    let latin = b"name = \"K\xf6ln\"";
    let utf8 = "name = \"Köln\"".as_bytes();
    let with = |encoding| JsonOptions {
        encoding,
        ..JsonOptions::default()
    };
    assert_eq!(
        json_with(latin, with(Encoding::Windows1252)),
        r#"{"name":"Köln"}"#
    );
    assert_eq!(json_with(utf8, with(Encoding::Utf8)), r#"{"name":"Köln"}"#);
    // Auto reads each token as UTF-8 when it is valid UTF-8, else as Windows-1252.
    assert_eq!(json_with(latin, with(Encoding::Auto)), r#"{"name":"Köln"}"#);
    assert_eq!(json_with(utf8, with(Encoding::Auto)), r#"{"name":"Köln"}"#);
    // A header decides: EU4 saves are Windows-1252.
    assert_eq!(json(b"EU4txt\nname = \"\xc3\xa9\""), r#"{"name":"Ã©"}"#);
}

#[test]
fn modes_and_narrowing() {
    use pdxedge_core::json::{DuplicateKeyMode, Narrowing};
    let input = b"a = \"01\" b = 02 c = yes a = x";
    let opts = |mode, narrow| JsonOptions {
        mode,
        narrow,
        ..JsonOptions::default()
    };
    assert_eq!(
        json_with(input, opts(DuplicateKeyMode::Preserve, Narrowing::All)),
        r#"{"a":1,"b":2,"c":true,"a":"x"}"#
    );
    assert_eq!(
        json_with(input, opts(DuplicateKeyMode::Group, Narrowing::Unquoted)),
        r#"{"a":["01","x"],"b":2,"c":true}"#
    );
    assert_eq!(
        json_with(
            input,
            opts(DuplicateKeyMode::KeyValuePairs, Narrowing::None)
        ),
        r#"{"type":"obj","val":[["a","01"],["b","02"],["c","yes"],["a","x"]]}"#
    );
}
