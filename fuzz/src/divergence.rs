//! Known divergences from jomini 0.37.2 where jomini is wrong and pdxedge is right
//! (listed in `docs/compatibility.md`), and the narrow rules that recognise an input
//! which may trigger one. The differential target skips such inputs; every other
//! difference is a bug.
//!
//! The rules look at bytes and at a rough token stream, not at a full parse, so they
//! may skip a few inputs that would not diverge; they must never let a listed
//! divergence through.

use std::fmt;

/// One listed divergence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Divergence {
    /// `g?=7`: jomini lexes the key as `g?` (`?` is no boundary for jomini's lexer; where
    /// a value is expected, `a==?=b`, it reads `?` as the value).
    GluedQuestionMark,
    /// `e!=5`: jomini lexes the key as `e!` when more than 16 bytes follow, as `e` and
    /// `!=` otherwise. The cause is that `!` ends a scalar only on jomini's short-input
    /// path, so every `!` glued to a scalar is affected: `a=!b=c` is `a="!"`, `b="c"` for
    /// jomini near the end of input, while pdxedge reads the scalar `!b` (a `!` is an
    /// operator for pdxedge only in `!=`).
    GluedExclamationMark,
    /// Backslashes: pdxedge unescapes `\X` in quoted strings and keeps them in unquoted
    /// scalars; jomini drops every backslash.
    Backslash,
    /// `\v` and `\f` are whitespace for pdxedge, scalar bytes for jomini.
    VerticalTabOrFormFeed,
    /// jomini writes a synthetic `remainder` key even next to a real `remainder` key;
    /// pdxedge then names its own `__remainder`.
    RemainderKey,
    /// A first-line header such as `EU4txt` (pdxedge skips it; `EU4bin` is refused).
    HeaderLine,
    /// jomini overflows its stack past ~15k nesting levels (a crash, not an answer).
    DeepNesting,
    /// `{ rgb { 1 2 3 } }`: a letter-initial word followed by `{` in a list is a header
    /// for pdxedge (`[{"rgb":[1,2,3]}]`), two values for jomini (`["rgb",[1,2,3]]`).
    HeaderInList,
    /// An operator right after a container inside a mixed list (`{ 1 a=b {x} > 5 }`):
    /// jomini writes `__invalid_key` (or `null` when the container was a value:
    /// `{ 1 a={x} =5 }`), pdxedge reports a syntax error.
    InvalidKey,
    /// In a mixed list, a value after an operator followed by `{`. Where both read it as
    /// a header, jomini writes the container a second time: `x y 1 {} 1=2 {0}` is `[...,1,{"2":[0]},[0]]`
    /// for jomini and `[...,1,{"2":[0]}]` for pdxedge; so is `x y a =!{ b=c }`.
    HeaderValueInMixedList,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// Nesting beyond this (counted as `{` bytes, an upper bound) is skipped: well under the
/// depth where jomini's recursion overflows an 8 MiB stack.
pub const MAX_ORACLE_BRACES: usize = 4096;

/// The first listed divergence `input` may trigger, if any.
pub fn in_input(input: &[u8]) -> Option<Divergence> {
    if input.contains(&b'\\') {
        return Some(Divergence::Backslash);
    }
    if input.iter().any(|&b| b == 0x0B || b == 0x0C) {
        return Some(Divergence::VerticalTabOrFormFeed);
    }
    if input.windows(9).any(|w| w == b"remainder") {
        return Some(Divergence::RemainderKey);
    }
    if question_mark(input) {
        return Some(Divergence::GluedQuestionMark);
    }
    if bang_in_scalar(input) {
        return Some(Divergence::GluedExclamationMark);
    }
    if starts_with_header_line(input) {
        return Some(Divergence::HeaderLine);
    }
    if input.iter().filter(|&&b| b == b'{').count() > MAX_ORACLE_BRACES {
        return Some(Divergence::DeepNesting);
    }
    // Both parsers drop a UTF-8 BOM; the walk must not read it as a word.
    let input = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    structural(input).or_else(|| after_operator_run(input))
}

/// After a run of three or more glued operator bytes (`====`): a word followed by `{` (a
/// header in a list, or a header value there), or an operator right after a container.
/// Both parsers split such a run by where it stands: where a key is expected `====` is
/// the key `=`, the operator `==` and the value `=`; after a key `===` is `==` and the
/// value `=`. [`tokens`] pairs the bytes from the left without knowing where it stands,
/// so [`structural`]'s walk may take a list for an object there and miss a header in it
/// (`====\x01\no{}` has one in the root's trailing list) or an operator with no key
/// (`={====a\nn={e}=}`); such inputs are skipped when either may follow.
fn after_operator_run(input: &[u8]) -> Option<Divergence> {
    let operator = |b: &u8| b"=<>!?".contains(b);
    if !input.windows(3).any(|w| w.iter().all(operator)) {
        return None;
    }
    fallback(input, &tokens(input), 0)
}

/// [`structural_candidate`] for an input the walk cannot follow, on its tokens and, when
/// it holds a `[[`, also on its plain tokens: where no key is expected `[[name]` is no
/// parameter block, and what follows it is lexed as usual (`\0[[r]t{}` holds the
/// header `t`, not a block's first value).
fn fallback(input: &[u8], toks: &[Token], from: usize) -> Option<Divergence> {
    structural_candidate(toks, from).or_else(|| {
        input
            .windows(2)
            .any(|w| w == b"[[")
            .then(|| structural_candidate(&tokens_and_marks(input, false).0, 0))
            .flatten()
    })
}

/// For inputs [`structural`]'s walk cannot follow: a word followed by `{` (a header in a
/// list, or after an operator a header value there), an operator right after a
/// container (closed by `}`, or by `]` where a key is expected), or a `?=` after token
/// `from` (where no key may be pending).
fn structural_candidate(toks: &[Token], from: usize) -> Option<Divergence> {
    // Is token `i` followed by `{`? (The root skips stray `}` and `]` between a word and
    // its `{`.)
    let opens = |i: usize| {
        toks.get(i + 1..)
            .unwrap_or_default()
            .iter()
            .find(|&&n| n != Token::Close && n != Token::Bracket)
            == Some(&Token::Open)
    };
    for (i, &t) in toks.iter().enumerate() {
        let after_operator = i > 0 && matches!(toks.get(i - 1), Some(Token::Operator(_)));
        match t {
            // A stray `=` after an operator is a value too (`key8 = = { 10 }`).
            Token::Word(_) | Token::Operator(false) if after_operator && opens(i) => {
                return Some(Divergence::HeaderValueInMixedList);
            }
            Token::Word(true) if opens(i) => return Some(Divergence::HeaderInList),
            _ => {}
        }
    }
    if toks
        .windows(2)
        .any(|w| matches!(w, [Token::Close | Token::Bracket, Token::Operator(_)]))
    {
        return Some(Divergence::InvalidKey);
    }
    toks.get(from + 1..)
        .unwrap_or_default()
        .contains(&Token::Operator(true))
        .then_some(Divergence::GluedQuestionMark)
}

/// The listed divergence jomini's output shows, if any.
pub fn in_jomini_output(json: &str) -> Option<Divergence> {
    json.contains("__invalid_key")
        .then_some(Divergence::InvalidKey)
}

/// A `?=` glued to the byte before it. `?` is no boundary for jomini's lexer, so glued
/// to a key it joins the key (`g?=7` is `"g?" = 7`; after an operator, `a==?=b`, it is a
/// value). `?=` after whitespace where no key is pending is left to [`structural`].
fn question_mark(input: &[u8]) -> bool {
    input
        .windows(3)
        .any(|w| w[1] == b'?' && w[2] == b'=' && !w[0].is_ascii_whitespace())
        || input.starts_with(b"?=")
}

/// A `!` touching a scalar byte on either side (other than `!=` after a separator, the
/// operator both read alike, and the `[[!param]` block opener).
fn bang_in_scalar(input: &[u8]) -> bool {
    let separator = |b: Option<&u8>| {
        b.is_none_or(|&b| {
            b.is_ascii_whitespace()
                || matches!(
                    b,
                    b'{' | b'}' | b'=' | b'<' | b'>' | b'#' | b';' | b'[' | b']' | b'"'
                )
        })
    };
    input.iter().enumerate().any(|(i, &b)| {
        if b != b'!' {
            return false;
        }
        let before = i.checked_sub(1).and_then(|j| input.get(j));
        let after = input.get(i + 1);
        if i >= 2 && input.get(i - 2..i) == Some(b"[[".as_slice()) {
            return false;
        }
        // A `"` (or a run of them) glued to a scalar byte before it may be part of an
        // unquoted token (`not_equal"!= 0`, `in""!=x`, found by the differential
        // target), not a closing quote.
        let quotes = input[..i].iter().rev().take_while(|&&c| c == b'"').count();
        if quotes > 0 && i > quotes && !separator(input.get(i - quotes - 1)) {
            return true;
        }
        // After the `!`, a `"` does not end pdxedge's token (`!"x"` is one unquoted
        // scalar) but jomini reads a quoted string there.
        let glued_after = after == Some(&b'"') || !separator(after);
        !separator(before) || (after != Some(&b'=') && glued_after)
    })
}

/// pdxedge's rule for a first-line header: after an optional UTF-8 BOM, a binary magic
/// (`EU4bin`..., refused whatever follows), or 4 to 16 ASCII alphanumerics ending in
/// `txt` followed by whitespace or the end.
fn starts_with_header_line(input: &[u8]) -> bool {
    let body = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let word = body
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let ends = body.get(word).is_none_or(|b| b.is_ascii_whitespace());
    let token = &body[..word];
    pdxedge_core::binary_magic(body).is_some()
        || ((4..=16).contains(&word) && ends && token.ends_with(b"txt"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    /// An operator; true for `?=`.
    Operator(bool),
    /// An unquoted scalar; true when it starts with an ASCII letter.
    Word(bool),
    Quoted,
    /// A `]` (both parsers close a container on it where a key is expected; elsewhere
    /// it is a value), except one right after a parameter block's first value, which
    /// closes the block.
    Bracket,
}

/// A rough Clausewitz lexer: enough to see braces, operators and words.
fn tokens(input: &[u8]) -> Vec<Token> {
    tokens_and_marks(input, true).0
}

/// A two-byte operator (`!=`, `==`, `<=`...).
const WIDE: u8 = 1;
/// The name of a parameter block's head (`[[name]`), read as `"[name]" = {`.
const BLOCK: u8 = 2;

/// [`tokens`], and for each its marks ([`WIDE`], [`BLOCK`]). Without `blocks`, `[[name]`
/// is lexed as plain tokens, as where no key is expected.
fn tokens_and_marks(input: &[u8], blocks: bool) -> (Vec<Token>, Vec<u8>) {
    let mut out = Vec::new();
    let mut marks = Vec::new();
    let mut i = 0;
    // A `[[name] ... ]` parameter block reads as `"[name]" = { ... }`. Its first token
    // is a value whatever its bytes (`}`, `{`, `]`, `=`, or a word up to a boundary byte:
    // `"x"y` is one), as both parsers read it; a `]` right after that value closes the
    // block (`[[e] x ]` is `"[e]":"x"`). After that a `}` closes it, and a `]` does where
    // a key is expected (elsewhere it is a value), as the walk reads any `]`.
    let mut block_value = false;
    let mut value_form = false;
    while let Some(&b) = input.get(i) {
        let pair = [b, input.get(i + 1).copied().unwrap_or(0)];
        if !is_space(b) && b != b'#' {
            if block_value {
                block_value = false;
                value_form = true;
                i = param_value_end(input, i);
                out.push(Token::Word(false));
                continue;
            }
            if std::mem::take(&mut value_form) && b == b']' {
                i += 1;
                out.push(Token::Close);
                continue;
            }
        }
        match b {
            b'{' => {
                out.push(Token::Open);
                i += 1;
            }
            b'}' => {
                out.push(Token::Close);
                i += 1;
            }
            b'#' => {
                while input.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while input.get(i).is_some_and(|&c| c != b'"') {
                    i += 1;
                }
                i += 1;
                out.push(Token::Quoted);
            }
            _ if matches!(&pair, b"<=" | b">=" | b"==" | b"!=" | b"?=") => {
                i += 2;
                out.push(Token::Operator(b == b'?'));
                marks.resize(out.len() - 1, 0);
                marks.push(WIDE);
            }
            b'=' | b'<' | b'>' => {
                i += 1;
                out.push(Token::Operator(false));
            }
            // A parameter block's name is one token as both parsers lex it (a lone
            // boundary byte, even whitespace: `[[\r]` is the block `[]`), then a `]`
            // must follow: `[[e{}]` is two `[` and a header, and `[[]` three scalars.
            _ if blocks && &pair == b"[[" => {
                let name = i + 2 + usize::from(input.get(i + 2) == Some(&b'!'));
                let end = param_value_end(input, name);
                if name < input.len() && input.get(end) == Some(&b']') {
                    i = end + 1;
                    block_value = true;
                    marks.resize(out.len(), 0);
                    marks.push(BLOCK);
                    out.extend([Token::Word(false), Token::Operator(false), Token::Open]);
                } else {
                    i += 1;
                    out.push(Token::Word(false));
                }
            }
            b'[' | b']' => {
                i += 1;
                out.push(if b == b']' {
                    Token::Bracket
                } else {
                    Token::Word(false)
                });
            }
            c if is_space(c) => i += 1,
            // `@[ ... ]` (a script value) is one token up to its first `]`, quotes and
            // brackets included, as both parsers read it.
            b'@' if input.get(i + 1) == Some(&b'[') => {
                i = input[i..]
                    .iter()
                    .position(|&c| c == b']')
                    .map_or(input.len(), |end| i + end + 1);
                out.push(Token::Word(false));
            }
            c => {
                let start = i;
                while input.get(i).is_some_and(|&c| !is_boundary(c)) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                // A list element can be a header name when it starts as pdxedge's do.
                out.push(Token::Word(c.is_ascii_alphabetic() || c == b'_'));
            }
        }
    }
    marks.resize(out.len(), 0);
    (out, marks)
}

/// Whitespace to the rule's lexer (`;` included).
fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == b';'
}

/// A byte that ends an unquoted word: whitespace or one of `{}[]<=>#`.
fn is_boundary(b: u8) -> bool {
    is_space(b) || b"{}[]<=>#".contains(&b)
}

/// The end of the token at `input[i]`, as both parsers lex a parameter block's name and
/// its first value: one byte when it is a boundary, or a `!` or `?` before `=`; else up
/// to the next boundary byte or `!=`/`?=`.
fn param_value_end(input: &[u8], i: usize) -> usize {
    let op_next = |j: usize| matches!(input.get(j..j + 2), Some([b'!' | b'?', b'=']));
    if input.get(i).is_some_and(|&c| is_boundary(c)) || op_next(i) {
        return i + 1;
    }
    let mut j = i + 1;
    while input.get(j).is_some_and(|&c| !is_boundary(c)) && !op_next(j) {
        j += 1;
    }
    j
}

fn bracket_as_value(t: Token) -> Token {
    if t == Token::Bracket {
        Token::Word(false)
    } else {
        t
    }
}

/// A letter-initial word followed by `{` in a container that is not a plain object:
/// one whose first element had no operator after it, or one that met an operator where
/// no key preceded it (jomini then writes the rest as a mixed "remainder" list).
fn structural(input: &[u8]) -> Option<Divergence> {
    /// What a plain object expects next.
    #[derive(Clone, Copy, PartialEq)]
    enum Phase {
        Key,
        Operator,
        Value,
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Frame {
        Object(Phase),
        Undecided,
        /// True once an empty `{}` was among its elements.
        List(bool),
        /// After an object template's key and operator (`{ {a} = `): the container is a
        /// list to both parsers, so a header value here is a header in a list.
        TemplateValue,
        /// After an object template's value: a list to both, in which `{..} =` makes
        /// another template.
        TemplateList,
    }
    let (toks, marks) = tokens_and_marks(input, true);
    let mut stack = vec![Frame::Object(Phase::Key)];
    // The previous token as the walk read it (a `]` may have acted as `}`).
    let mut prev = None;
    for (i, &t) in toks.iter().enumerate() {
        // Where a key or a value is expected both parsers split a two-byte operator
        // (`!= =1` is the key `!`, `=` and the value `=`; `====` the key `=`, `==` and
        // `=`; `G= ==t` the value `=`, then `=` with no key), by bytes this lexer has
        // already paired; and only where a key is expected is `[[name]` a parameter
        // block (in a list, `g [[y]` is five values). The walk cannot follow either.
        let mark = marks.get(i).copied().unwrap_or(0);
        let key_expected = matches!(
            stack.last(),
            Some(Frame::Object(Phase::Key) | Frame::Undecided)
        );
        let value_expected = stack.last() == Some(&Frame::Object(Phase::Value));
        if mark == WIDE && (key_expected || value_expected) {
            return fallback(input, &toks, i);
        }
        if mark == BLOCK && !key_expected {
            // Where no key is expected, `[[name]` is four values, or, right after a
            // container, a parameter both write as `null` (`6{}[[x]]]{n}`), after which
            // a value followed by `{` is a header value that jomini writes twice, as
            // after an operator. The rule cannot tell which: any `{` after it counts.
            let opens_later = toks.get(i + 3..).unwrap_or_default().contains(&Token::Open);
            return fallback(input, &toks, i)
                .or(opens_later.then_some(Divergence::HeaderValueInMixedList));
        }
        let depth = stack.len();
        // A stray `}` at the root is skipped (where it is accepted at all), so what
        // follows it is what counts.
        let next = toks
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .copied()
            .find(|&n| depth > 1 || n != Token::Close);
        if depth == 1 && t == Token::Close {
            continue;
        }
        // Where a key is expected, both parsers close the container at `]` as at `}`.
        let t = match stack.last() {
            Some(Frame::Object(Phase::Key)) if t == Token::Bracket && depth > 1 => Token::Close,
            // After a key, where a value belongs and in a list, a `]` is a bare value to
            // both (after a key it makes the container a mixed list).
            Some(
                Frame::Object(Phase::Operator | Phase::Value)
                | Frame::List(_)
                | Frame::TemplateList,
            ) => bracket_as_value(t),
            _ => t,
        };
        let before = prev.replace(t);
        let top = stack.last_mut()?;
        match (t, *top) {
            (Token::Open, _) => stack.push(Frame::Undecided),
            // A stray `]` at the root where no key is pending is skipped by both, and an
            // operator right after it has no key (`]=T{e=e` is a mixed list).
            (Token::Bracket, _) if depth == 1 => {}
            // Left for a `]` first in a container: a bare value, so a list.
            (Token::Bracket, _) => *top = Frame::List(false),
            (Token::Close, _) => {
                let empty = stack.len() > 1 && stack.pop() == Some(Frame::Undecided);
                if let Some(top) = stack.last_mut() {
                    *top = match *top {
                        // An empty `{}` first in a container is dropped, also before an
                        // operator: `{ {}={} o{} }` is a list (`=`, `[]`, ...), no template.
                        Frame::Undecided if empty && matches!(next, Some(Token::Operator(_))) => {
                            Frame::Undecided
                        }
                        Frame::Undecided if matches!(next, Some(Token::Operator(_))) => {
                            Frame::Object(Phase::Operator)
                        }
                        Frame::Undecided => Frame::List(empty),
                        Frame::List(seen) => Frame::List(seen || empty),
                        Frame::TemplateValue => Frame::TemplateList,
                        Frame::TemplateList if matches!(next, Some(Token::Operator(_))) => {
                            Frame::Object(Phase::Operator)
                        }
                        Frame::TemplateList => Frame::TemplateList,
                        // A `{...}` key (object template) waits for its operator; at the
                        // root a `{}` is dropped, and an operator after it has no key.
                        Frame::Object(Phase::Key) if depth > 2 => Frame::Object(Phase::Operator),
                        Frame::Object(_) => Frame::Object(Phase::Key),
                    };
                }
            }
            // After a container only `=` makes an object template; jomini reads the `?`
            // of a `?=` there as a key.
            (Token::Operator(true), Frame::Object(Phase::Operator))
                if before == Some(Token::Close) =>
            {
                return Some(Divergence::GluedQuestionMark);
            }
            (Token::Operator(_), Frame::Object(Phase::Operator))
                if before == Some(Token::Close) =>
            {
                *top = Frame::TemplateValue
            }
            (Token::Operator(_), Frame::Object(Phase::Operator)) => {
                *top = Frame::Object(Phase::Value)
            }
            // jomini reads `?=` as an operator only right after a key; elsewhere `?` is a
            // scalar to it.
            (Token::Operator(true), _) => return Some(Divergence::GluedQuestionMark),
            // The listed `{ 1 a=b {x} > 5 }` case: jomini writes `__invalid_key` or
            // `null` for the missing key, pdxedge reports a syntax error.
            (Token::Operator(false), Frame::List(_)) if before == Some(Token::Close) => {
                return Some(Divergence::InvalidKey);
            }
            // A stray operator where a value belongs is the value `"="` to both; followed
            // by `{` it is a header value.
            (Token::Operator(false), Frame::List(_))
                if matches!(before, Some(Token::Operator(_))) && next == Some(Token::Open) =>
            {
                return Some(Divergence::HeaderValueInMixedList);
            }
            (Token::Operator(false), Frame::List(_)) => {}
            // Where a key is expected, an operator followed by `{` or by another operator
            // is a key named by its symbol to both (`r=6 ={x=1}` is `"=":{"x":1}`, `< < 5`
            // is `"<":{"LESS_THAN":5}`), and the object stays plain.
            // (First in a container, `= {` is two list elements instead.)
            (Token::Operator(false), Frame::Object(Phase::Key)) if next == Some(Token::Open) => {
                *top = Frame::Object(Phase::Value)
            }
            (Token::Operator(false), Frame::Object(Phase::Key) | Frame::Undecided)
                if matches!(next, Some(Token::Operator(_))) =>
            {
                *top = Frame::Object(Phase::Operator)
            }
            // At the root, an operator right after a container (not a dropped `{}`) with
            // no `{` or operator after it has no key either: pdxedge turns the root into a
            // mixed list (or reports the operator), jomini writes `null` when it accepts
            // the document.
            (Token::Operator(false), Frame::Object(Phase::Key))
                if depth == 1
                    && before == Some(Token::Close)
                    && i.checked_sub(2).and_then(|j| toks.get(j)) != Some(&Token::Open) =>
            {
                return Some(Divergence::InvalidKey);
            }
            // Where a value is expected, an operator is the value (`b = = c=d` is
            // `"b":"="`) to both, and the object stays plain.
            (Token::Operator(false), Frame::Object(Phase::Value)) if next != Some(Token::Open) => {
                *top = Frame::Object(Phase::Key)
            }
            (Token::Operator(false), _) => *top = Frame::List(false),
            (Token::Word(_) | Token::Quoted, frame) => {
                *top = match frame {
                    Frame::Undecided if matches!(next, Some(Token::Operator(_))) => {
                        Frame::Object(Phase::Operator)
                    }
                    Frame::Undecided => Frame::List(false),
                    Frame::List(_) => frame,
                    Frame::Object(Phase::Key) => Frame::Object(Phase::Operator),
                    // A key with no operator or `{` after it is a bare value, and jomini
                    // makes the rest of the object a mixed list.
                    Frame::Object(Phase::Operator) => Frame::List(false),
                    // A header value (`rgb {`) waits for its container to close.
                    Frame::Object(Phase::Value) if next == Some(Token::Open) => frame,
                    Frame::Object(Phase::Value) => Frame::Object(Phase::Key),
                    Frame::TemplateValue if t == Token::Word(true) && next == Some(Token::Open) => {
                        return Some(Divergence::HeaderInList);
                    }
                    Frame::TemplateValue => Frame::TemplateList,
                    Frame::TemplateList => Frame::List(false),
                };
                let list = matches!(*top, Frame::List(_));
                if list && t == Token::Word(true) && next == Some(Token::Open) {
                    return Some(Divergence::HeaderInList);
                }
                let after_op = matches!(before, Some(Token::Operator(_)));
                // In the root's mixed list both skip a stray `]` between an operator's
                // value and a `{` (`1=2 ] {0}` is `1=2 {0}`).
                let next_past_brackets = if depth == 1 {
                    toks.get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .copied()
                        .find(|&n| n != Token::Close && n != Token::Bracket)
                } else {
                    next
                };
                if list && after_op && next_past_brackets == Some(Token::Open) {
                    return Some(Divergence::HeaderValueInMixedList);
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> Option<Divergence> {
        in_input(s.as_bytes())
    }

    #[test]
    fn each_listed_example_is_recognised() {
        use Divergence::*;
        assert_eq!(rule("g?=7"), Some(GluedQuestionMark));
        assert_eq!(rule("??='"), Some(GluedQuestionMark));
        assert_eq!(rule("x { [==?= }"), Some(GluedQuestionMark));
        assert_eq!(rule("?= b"), Some(GluedQuestionMark));
        assert_eq!(rule("x y ?= z"), Some(GluedQuestionMark));
        assert_eq!(rule("x = { 1 a ?= z }"), Some(GluedQuestionMark));
        assert_eq!(
            rule("k = { { a = b } ?= { c = d } }"),
            Some(GluedQuestionMark)
        );
        assert_eq!(
            rule("e!=5 aaaaaaaaaaaaaaaaaaaa"),
            Some(GluedExclamationMark)
        );
        assert_eq!(
            rule("less < 0\nnot_equal\"!= 0 aaaaaaaaaaaaaaaaaaaa"),
            Some(GluedExclamationMark)
        );
        // Found by the differential target: a quote right after the `!`.
        assert_eq!(rule(r#"n{!""}"#), Some(GluedExclamationMark));
        assert_eq!(rule(r#"n = { !"x" }"#), Some(GluedExclamationMark));
        assert_eq!(rule(r#"in""!=CK2binOPTA4"#), Some(GluedExclamationMark));
        assert_eq!(rule(r#"a="x\\y""#), Some(Backslash));
        assert_eq!(rule("a=\x0bb"), Some(VerticalTabOrFormFeed));
        assert_eq!(rule("a=\x0cb"), Some(VerticalTabOrFormFeed));
        assert_eq!(rule("remainder=1 a={b=2}"), Some(RemainderKey));
        assert_eq!(rule("EU4txt\na=b"), Some(HeaderLine));
        // Found by the differential target: an underscore-initial header name in the root's
        // mixed list (after a stray `]`).
        assert_eq!(rule("test]_inter {a=b}"), Some(HeaderInList));
        assert_eq!(rule("\u{feff}CK3bin"), Some(HeaderLine));
        assert_eq!(rule("VIC3binprevious_war=1"), Some(HeaderLine));
        assert_eq!(rule(&"a={".repeat(5000)), Some(DeepNesting));
        assert_eq!(rule("a = { rgb { 1 2 3 } }"), Some(HeaderInList));
        assert_eq!(rule("a = { 1 2 x { 3 } }"), Some(HeaderInList));
        assert_eq!(rule("= a==z{b=L}"), Some(HeaderInList));
        // Found by the differential target: the same after a UTF-8 BOM.
        assert_eq!(rule("\u{feff}=e{0=m"), Some(HeaderInList));
        assert_eq!(rule("a = { {x} rgb { 1 } }"), Some(HeaderInList));
        assert_eq!(rule("M=MM=M9M=M=M9 {}"), Some(HeaderInList));
        assert_eq!(rule("k=v types test { x }"), Some(HeaderInList));
        assert_eq!(rule("\x01\tC{?a=b}"), Some(HeaderInList));
        assert_eq!(rule("x ] o\"y\" {]=0"), Some(HeaderInList));
        assert_eq!(rule("]=T{e=e"), Some(HeaderInList));
        assert_eq!(rule("x ] {} y=] {v}"), Some(HeaderValueInMixedList));
        assert_eq!(rule("C{r=\"\" x ]{!}t{}}"), Some(HeaderInList));
        assert_eq!(rule("x [[e{}]"), Some(HeaderInList));
        // Found by the differential target: `[[]` is no parameter block (three scalars), so
        // `f{` is a header in the root's mixed list (jomini writes `{"d":"f"},{"s":2}`).
        assert_eq!(rule("\u{ff}[[]d=f{s=2"), Some(HeaderInList));
        assert_eq!(rule("{}=d{}"), Some(HeaderInList));
        // Found by the differential target: a header as an object template's value.
        assert_eq!(
            rule("campaign_stats={\n{\n\t\ti}\t=\nd0\u{8}{\n\t\tid=1\n\t}\n}\n"),
            Some(HeaderInList)
        );
        assert_eq!(rule("a = { {i} = rgb { 1 } }"), Some(HeaderInList));
        assert_eq!(rule("obj={ { a = b }=c { d }={ 1 } }"), Some(HeaderInList));
        // Found by the differential target: after a template's value the container is
        // still a list, so a header later in it is a header in a list.
        assert_eq!(rule("={{1}=\0\ne{}}"), Some(HeaderInList));
        assert_eq!(rule("a={ {1}=x e{} }"), Some(HeaderInList));
        assert_eq!(rule("a={ {1}={2} e=f g{} }"), Some(HeaderInList));
        assert_eq!(rule("a={ {1}=x e=f }"), None);
        assert_eq!(rule("a={ {1}={2} {3}={4} }"), None);
        assert_eq!(
            rule("x={ owner;AA=V religion=c { id=1 } }"),
            Some(HeaderInList)
        );
        assert_eq!(rule("=1{}1=1{0}"), Some(HeaderValueInMixedList));
        assert_eq!(rule("x y 1 {} 1=2 {0}"), Some(HeaderValueInMixedList));
        assert_eq!(rule("x y a =!{ b=c }"), Some(HeaderValueInMixedList));
        assert_eq!(rule("k [ key8 = = { 10 }"), Some(HeaderValueInMixedList));
        // The stray `}` is skipped by both, so `1 {` is still a header value.
        assert_eq!(rule("x a={} n=1 } {2}"), Some(HeaderValueInMixedList));
        // Found by the differential target: a stray `]` between the value and its `{`,
        // which both skip in the root's mixed list.
        assert_eq!(rule("i]{}r=]]{\u{ff}}"), Some(HeaderValueInMixedList));
        assert_eq!(rule("x y 1 {} 1=2 ] {0}"), Some(HeaderValueInMixedList));
        assert_eq!(rule("! x [[z[key5{ 1 }"), Some(HeaderInList));
        assert_eq!(rule("a = { 1 a=b 7 {x} > 5 }"), Some(InvalidKey));
        assert_eq!(rule("a = { 1 2 c={ x } =5 }"), Some(InvalidKey));
        assert_eq!(rule("x={ a b c={ n=v ]= t } }"), Some(InvalidKey));
        // Found by the differential target: the object stays plain after `={}` (a key
        // named `=`), so its `]` closes it and the `=` after it has no key.
        assert_eq!(rule("S{p\ne={r=6={}]=}"), Some(InvalidKey));
        // Found by the differential target: `x == =` is a plain field whose value is `=`.
        assert_eq!(rule("k{s\ns={\u{d0}===]=}"), Some(InvalidKey));
        // Found by the differential target: `< < <` is the key `<`, an operator, a value.
        assert_eq!(rule("\0{\0\tg={<<<]<}"), Some(InvalidKey));
        // Found by the differential target: first in a container, `= {}` is two
        // elements, so the container is a list and `l {}` a header in it.
        assert_eq!(rule("\u{ff}{={}l{}}"), Some(HeaderInList));
        // The same after an empty `{}`, which both drop (found by the differential target).
        assert_eq!(rule("e{{}={}o{}}"), Some(HeaderInList));
        // Found by the differential target: `====` is the key `=`, `==` and the value `=`,
        // then the root's trailing list holds the header `o`.
        assert_eq!(rule("====\x01\no{}"), Some(HeaderInList));
        // Found by the same target: the same run, then an operator after a container in
        // the mixed list (`n={e}=`).
        assert_eq!(rule("={====a\nn={e}=}"), Some(InvalidKey));
        // And a header value in that mixed list (jomini writes its container twice).
        assert_eq!(
            rule("w====\u{ff}{}\x01=\u{f7}{=}"),
            Some(HeaderValueInMixedList)
        );
        // Found by the same target: `!=` where a key is expected is the key `!` and `=`.
        assert_eq!(rule("={!= =1 1{4}=}"), Some(InvalidKey));
        // Found by the same target: in the root's mixed list `[[y]` is no parameter block.
        assert_eq!(rule("g[[y]\u{ff}=i{3=e"), Some(HeaderValueInMixedList));
        // Found by the same target: `?=` where a key is expected is the key `?` and `=`;
        // a later `?=` in the mixed list is `?` and `=` to jomini.
        assert_eq!(rule("={\n?=` n l ?=}"), Some(GluedQuestionMark));
        // Found by the same target: where a value is expected, `==` is the value `=` and
        // an `=` with no key; then a header in the list (after an operator, so the rule
        // names the header-value divergence: it cannot tell the two apart there).
        assert_eq!(rule("G= ==t{a=t"), Some(HeaderValueInMixedList));
        // Found by the same target: after `<=` where a key is expected, a `]` closes the
        // container and an operator follows it.
        assert_eq!(rule("={t %={<=t]>}"), Some(InvalidKey));
        // Found by the same target: `@["]` is one scalar, so no quoted string follows
        // and `p{}` is a header in the root's list.
        assert_eq!(rule("@[\"]p{}"), Some(HeaderInList));
        // Found by the same target: after `====`, a header value across a stray `}` at the
        // root (`0=E}{8}`).
        assert_eq!(rule("====\0 5{}0=E}{8}"), Some(HeaderValueInMixedList));
        // And with a stray `=` as the value (found by the same target).
        assert_eq!(rule("e====p={}\u{ff}=;={ L}"), Some(HeaderValueInMixedList));
        // Found by the same target: a parameter block's first token is a value whatever
        // it is (here `}`), so the block is a list and `e{}` a header in it.
        assert_eq!(rule("[[T]}e{}"), Some(HeaderInList));
        // Found by the same target: after its first token, a `}` closes the block, so
        // the `=` after the next `}` follows a container in the root key's mixed list.
        assert_eq!(rule("={=1={={[[e]\x19}}}}=}"), Some(InvalidKey));
        assert_eq!(rule("={=1={={ [[e] x }}}=}"), Some(InvalidKey));
        // And a `]` in a block's list is a value, so the `}` closes the block and the
        // `=` follows a container in the root key's mixed list.
        assert_eq!(rule("={=1={={ [[e] x y ] }}}=}"), Some(InvalidKey));
        // Found by the same target: where no key is expected `[[r]` is no block, so `t{`
        // is a header in the root's mixed list.
        assert_eq!(rule("\0[[r]t{}"), Some(HeaderInList));
        // And after an operator the walk cannot follow (found by the same target).
        assert_eq!(rule("<=<\u{ff}[[T]_{}"), Some(HeaderInList));
        // Found by the same target: right after a container in a list, `[[\xf2]` is a
        // parameter (`null` to both), and `]{n}` a header value jomini writes twice.
        assert_eq!(rule("C 6{}[[\u{f2}]]]{n}"), Some(HeaderValueInMixedList));
        // Found by the same target: a block's name is one token, so `[[\r]` is a block
        // (named `[]`), and `}=` follows a container in a mixed list.
        assert_eq!(rule("\0{{r\t\u{e7}={={[[\r]\u{e1}}}}=}}"), Some(InvalidKey));
        assert_eq!(
            in_jomini_output(r#"{"a":{"__invalid_key":5}}"#),
            Some(InvalidKey)
        );
    }

    #[test]
    fn near_misses_are_not_skipped() {
        for s in [
            "foo ?= 10",
            "a != b",
            r#"a = "x" b != c"#,
            "test={ a>1 b<2 c>=3 d<=4 e != 5 }",
            "color = rgb { 100 200 150 }",
            "a = { b=c d { {x} } e=f }",
            "on_actions = { pulse delay = { days = { 5 10 }} other }",
            "obj={ { a = b }={ 1 2 3 } }",
            "obj={ { a = b }=c d={ 1 } }",
            "EU4 = txt",
            "a = \"remain der\"",
            "a=! b=c",
            "a = 1 } b = 2",
            "a=b}{c}",
            "a=1]]{c}",
            "x y 1 {} 5 {0}",
            "x y 1 {} 1 ] 2 {0}",
            "\u{feff}e = { 0 = m }",
            "a={r=6={x=1} y=2}",
            "a={r=6 = 5 y=2}",
            "a={ b == = c=d }",
            "a={ < < 5 b=c }",
            "==== c=d",
            "a=== c=d x={ 1 }",
            "a==b o{}",
            "a={ b=c < < 5 }",
            "a = { x } { y }",
            "gen = { [[!scaled_skill] c=d ] [[x] a=b ] rgb { 1 } }",
            "a={ [[e] x } b=1 }",
            "a={ [[e] == x } b=1 }",
            "a={ [[e] {} } b=1 }",
            "a={ [[e]} ] b=1 }",
            "a={ [[e] x y } b=1 }",
            "a={ [[e] x=1 ] b=1 }",
        ] {
            assert_eq!(rule(s), None, "{s}");
        }
    }
}
