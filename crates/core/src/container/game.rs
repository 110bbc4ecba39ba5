//! Which Paradox game wrote a file, from what the bytes and the file name say.

/// A Paradox (Clausewitz engine) game.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Game {
    Eu3,
    Eu4,
    Eu5,
    Ck2,
    Ck3,
    Hoi4,
    Vic2,
    Vic3,
    Imperator,
    Stellaris,
}

impl Game {
    /// Short stable code (used in `pdxedge info --json`).
    pub fn code(self) -> &'static str {
        match self {
            Game::Eu3 => "eu3",
            Game::Eu4 => "eu4",
            Game::Eu5 => "eu5",
            Game::Ck2 => "ck2",
            Game::Ck3 => "ck3",
            Game::Hoi4 => "hoi4",
            Game::Vic2 => "vic2",
            Game::Vic3 => "vic3",
            Game::Imperator => "imperator",
            Game::Stellaris => "stellaris",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Game::Eu3 => "Europa Universalis III",
            Game::Eu4 => "Europa Universalis IV",
            Game::Eu5 => "Europa Universalis V",
            Game::Ck2 => "Crusader Kings II",
            Game::Ck3 => "Crusader Kings III",
            Game::Hoi4 => "Hearts of Iron IV",
            Game::Vic2 => "Victoria II",
            Game::Vic3 => "Victoria 3",
            Game::Imperator => "Imperator: Rome",
            Game::Stellaris => "Stellaris",
        }
    }

    /// The text encoding the game writes its saves in.
    pub fn encoding(self) -> &'static str {
        match self {
            Game::Eu3 | Game::Eu4 | Game::Ck2 | Game::Vic2 => "windows-1252",
            _ => "utf-8",
        }
    }

    /// The wording for [`ErrorKind::Binary`](crate::ErrorKind::Binary).
    pub fn binary_format(self) -> &'static str {
        match self {
            Game::Eu3 => "this binary Europa Universalis III save",
            Game::Eu4 => "EU4bin (Europa Universalis IV)",
            Game::Eu5 => "this binary Europa Universalis V save",
            Game::Ck2 => "CK2bin (Crusader Kings II)",
            Game::Ck3 => "CK3bin (Crusader Kings III)",
            Game::Hoi4 => "HOI4bin (Hearts of Iron IV)",
            Game::Vic2 => "this binary Victoria II save",
            Game::Vic3 => "this binary Victoria 3 save",
            Game::Imperator => "this binary Imperator: Rome save",
            Game::Stellaris => "this binary Stellaris save",
        }
    }

    /// The game a header line's prefix names: `EU4` in `EU4txt`.
    pub fn from_header_prefix(prefix: &[u8]) -> Option<Game> {
        Some(match prefix {
            b"EU3" => Game::Eu3,
            b"EU4" => Game::Eu4,
            b"EU5" => Game::Eu5,
            b"CK2" => Game::Ck2,
            b"CK3" => Game::Ck3,
            b"HOI4" => Game::Hoi4,
            b"IR" => Game::Imperator,
            b"VIC3" | b"Vic3" => Game::Vic3,
            _ => return None,
        })
    }

    /// The game a save file's extension names (`.eu4`, `.ck3`, `.v3`, `.rome`, ...).
    /// `.sav` is Stellaris's; `.zip` and `.txt` say nothing.
    pub fn from_file_name(name: &str) -> Option<Game> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "eu3" => Game::Eu3,
            "eu4" => Game::Eu4,
            "eu5" => Game::Eu5,
            "ck2" => Game::Ck2,
            "ck3" => Game::Ck3,
            "hoi4" => Game::Hoi4,
            "v2" => Game::Vic2,
            "v3" => Game::Vic3,
            "rome" => Game::Imperator,
            "sav" => Game::Stellaris,
            _ => return None,
        })
    }
}
