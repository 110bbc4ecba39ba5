//! Differential tests: pdxedge's JSON against the `jomini` crate's, on inputs where
//! jomini is right. Divergences where jomini is wrong live in `compatibility.rs`.

mod common;

use common::{Mode, assert_same_as_jomini};

const CASES: &[&str] = &[
    "foo=bar",
    "foo=bar num=1 bool=no bool2=yes pi=3.14",
    "foo={prop=a bar={num=1}}",
    "nums={1 2 3 4}",
    "core=AAA core=BBB",
    "a={b=1} c={b=1 b=2}",
    "color = rgb { 100 200 150 }",
    "identity = 18446744073709547616",
    "identity = -90071992547409097",
    "area = { color = { 10 } 1 2 }",
    "levels={ 10 0=2 1=2 }",
    "mixed={ a=b 10 c=d 20 }",
    "on_actions = { faith_holy_order_land_acquisition_pulse delay = { days = { 5 10 }} faith_heresy_events_pulse delay = { days = { 15 20 }} faith_fervor_events_pulse }",
    "generate_advisor = { [[scaled_skill] a=b ] [[!scaled_skill] c=d ]  }",
    "foo = { [[add] $add$]}",
    "obj={ { a = b }={ 1 2 3 } }",
    "obj={ { foo }={ 1000 } }",
    "obj={ { template1 }={ values1 } { template2 }={ values2 } }",
    "config={ { debug=yes logging=verbose }={ output_file=\"debug.log\" level=trace } }",
    "obj={ { outer }={ { inner }={ deep } } }",
    "obj={ { 31=16 }=16 }",
    "foo ?= 10",
    "test={ a=1 standalone b=2 }",
    "empty={}",
    "single={ key=value }",
    "test={ a>1 b<2 c>=3 d<=4 e != 5 }",
    "complex={ nested={ a=1 b=2 } standalone={ c=3 } mixed={ d=4 bare e=5 } }",
    "test={ a=1 standalone1 b=2 standalone2 c=3 }",
    "test={ scope:treaty != this scope:county = yes }",
    "a_trigger = { OR = { obj_a = { a_bool = no } obj_a.field != this } }",
    "a = \"hello world\" b = \"01\" c = \"yes\"",
    "a = { {} b = c }",
    "a = b {} c = d",
    "a = { x } b = { }",
    "a = 1 } b = 2",
    "a = { b = c",
    "flavor_tur.8 = { c:RUS = @var d = @[1-x] $PARAM$ = value:a|B| }",
    "a = \"multi\nline\"",
    "a=1\r\nb=2\r\n",
    "# comment\na=1 # trailing\nb=2#glued\nc=3",
    "a = -  b = +  c = .  d = 1.  e = 5f f = 1.5f g = -0.0 h = 0001",
    "date=1444.11.11 x=9007199254740993",
    "a = { 1 2 3 } a = { 4 5 } a = 6",
    "k = { a = 1 a = { b = 2 b = 3 } c = 4 a = 5 }",
    "list = { a b c } list = { d } other = yes list = { e }",
    "a = { b = c d e = f }",
    "a = { 1 a = = b }",
    "a = { 1 a = b = c }",
    "a = { 1 a = }",
    "a = { 1 a = = = = b }",
    "a = hsv { 0.1 0.2 0.3 } b = hsv360 { 1 2 3 } c = hex { aabbcc } d = LIST { 1 2 }",
    "a = rgb { x = 1 }",
    "a = { b=c d { {x} } e }",
    "a = { b=c d { {x} } e=f }",
    "a=b c d={x=y} e=f",
    "a={ b = c } { }",
    "x = { k=v k=w 1 2 }",
    "remainder = 1 a = { b = 2 }",
    "a = { 10 20 { x = y } }",
    "a = { { x = y } { z = w } }",
    "a = { { } { x = y } }",
    "a = { ; b = c ; }",
    "\u{feff}a = b",
    "a = \"\" b = \"  \"",
    "a = { 0=1 1=2 }",
    "x = { a = 1 b = 2 } x = { a = 3 } y = { x = 1 x = 2 }",
    "a = { { b } = c }",
    // Runs of plain numbers (the parser hands them to the writer whole).
    "r = { 0 1 -2 300 -0 05 4 1234567890123456 -123456789012345 7 8 -9 x 10 11 }",
    "r = { 1 2 3 = 4 5 6 } s = { 1 2  3 4\n5 6 } t = { 1 2 { a = b } 3 4 }",
    "r = { 1 2#c\n3 4 -5 - 6 7=8 } h = { 1 2 hsv } r = { 4 5 6 }",
    "d = { 0.000 2.000 0.600 -0.000 1.500 12.25 0.0001 0.00001 0.10000 1.00001 7 }",
    "d = { 12345678901.2345 12345678901.23456 1. 1.5.5 05.5 -0.5 -0 0.0 1 }",
];

#[test]
fn preserve_matches_jomini() {
    for case in CASES {
        assert_same_as_jomini(case.as_bytes(), Mode::Preserve);
    }
}

#[test]
fn key_value_pairs_matches_jomini() {
    for case in CASES {
        assert_same_as_jomini(case.as_bytes(), Mode::KeyValuePairs);
    }
}

#[test]
fn group_matches_jomini() {
    for case in CASES {
        assert_same_as_jomini(case.as_bytes(), Mode::Group);
    }
}
