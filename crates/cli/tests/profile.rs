//! `weft run --profile`: the flame graph, the Firefox Profiler file and the
//! folded stacks are written, well-formed, and name the hot function, in
//! every tier.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn weft(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft"))
        .args(args)
        .output()
        .expect("weft runs")
}

/// `$main` calls `$hot` (a loop of `n` iterations) and `$cold` (`n / 16`).
const PROGRAM: &str = weft_testkit::PROFILE_PROGRAM;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("weft-profile-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("prog.wat"), PROGRAM).unwrap();
    dir
}

/// Runs the program under `--profile=SPEC` in `tier` with enough work for
/// a few hundred samples.
fn profile(dir: &Path, tier: &str, spec: &str) {
    let n = if tier == "interp" {
        "60000000"
    } else {
        "600000000"
    };
    let prog = dir.join("prog.wat");
    let o = weft(&[
        "run",
        "--tier",
        tier,
        &format!("--profile={spec}"),
        "--invoke",
        "main",
        prog.to_str().unwrap(),
        n,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn flame_graph_firefox_profile_and_folded_stacks_name_the_hot_function() {
    for tier in ["interp", "compile", "auto"] {
        let dir = scratch(tier);
        let (svg, json, folded) = (dir.join("p.svg"), dir.join("p.json"), dir.join("p.folded"));
        profile(&dir, tier, svg.to_str().unwrap());
        profile(&dir, tier, &format!("guest,{}", json.display()));
        profile(&dir, tier, folded.to_str().unwrap());

        let svg = std::fs::read_to_string(&svg).unwrap();
        assert!(svg.starts_with("<?xml") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("<title>hot ("), "{tier}: {svg}");
        assert_eq!(svg.matches("<g>").count(), svg.matches("</g>").count());

        let text = std::fs::read_to_string(&json).unwrap();
        let profile = json::parse(&text).unwrap_or_else(|e| panic!("{tier}: {e}: {text}"));
        assert!(matches!(
            profile["meta"]["symbolicated"],
            json::Value::Bool(true)
        ));
        let (hottest, share) = hottest_function(&profile);
        assert_eq!(hottest, "spin", "{tier}: {text}");
        assert!(share > 0.5, "{tier}: {share}");

        let folded = std::fs::read_to_string(&folded).unwrap();
        let samples = |stack: &str| -> u64 {
            folded
                .lines()
                .filter_map(|l| l.rsplit_once(' '))
                .filter(|(s, _)| *s == stack)
                .map(|(_, n)| n.parse::<u64>().unwrap())
                .sum()
        };
        let (hot, cold) = (samples("main;hot;spin"), samples("main;cold;spin"));
        assert!(hot >= 50 && hot > 4 * cold, "{tier}: {folded}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// The function with the most samples of its own in a Firefox profile
/// (following samples -> stackTable -> frameTable -> funcTable ->
/// stringArray, as the profiler does), and its share.
fn hottest_function(profile: &json::Value) -> (String, f64) {
    let thread = &profile["threads"][0];
    let col = |table: &str, c: &str| -> Vec<Option<usize>> {
        thread[table][c]
            .as_array()
            .iter()
            .map(|v| v.as_f64().map(|x| x as usize))
            .collect()
    };
    let (stack_frame, frame_func, func_name) = (
        col("stackTable", "frame"),
        col("frameTable", "func"),
        col("funcTable", "name"),
    );
    let strings = thread["stringArray"].as_array();
    let mut counts = std::collections::HashMap::new();
    let samples = col("samples", "stack");
    for s in &samples {
        let func = frame_func[stack_frame[s.unwrap()].unwrap()].unwrap();
        *counts.entry(func).or_insert(0u64) += 1;
    }
    let (&func, &n) = counts.iter().max_by_key(|(_, &n)| n).unwrap();
    let name = strings[func_name[func].unwrap()].as_str().to_string();
    (name, n as f64 / samples.len() as f64)
}

#[test]
fn a_profile_with_an_unknown_extension_is_a_usage_error() {
    let o = weft(&["run", "--profile=out.txt", "examples/hello.wat"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".svg (flame graph)"));
}

/// Just enough JSON to check the profile: a strict parser of RFC 8259
/// (no trailing commas, no comments), so that a malformed file fails.
mod json {
    use std::collections::BTreeMap;

    #[derive(Debug)]
    pub enum Value {
        Null,
        Bool(bool),
        Num(f64),
        Str(String),
        Arr(Vec<Value>),
        Obj(BTreeMap<String, Value>),
    }

    static NULL: Value = Value::Null;

    impl Value {
        pub fn as_array(&self) -> &[Value] {
            match self {
                Value::Arr(a) => a,
                _ => &[],
            }
        }
        pub fn as_f64(&self) -> Option<f64> {
            match self {
                Value::Num(x) => Some(*x),
                _ => None,
            }
        }
        pub fn as_str(&self) -> &str {
            match self {
                Value::Str(s) => s,
                _ => "",
            }
        }
    }

    impl std::ops::Index<&str> for Value {
        type Output = Value;
        fn index(&self, k: &str) -> &Value {
            match self {
                Value::Obj(m) => m.get(k).unwrap_or(&NULL),
                _ => &NULL,
            }
        }
    }

    impl std::ops::Index<usize> for Value {
        type Output = Value;
        fn index(&self, i: usize) -> &Value {
            self.as_array().get(i).unwrap_or(&NULL)
        }
    }

    pub fn parse(s: &str) -> Result<Value, String> {
        let mut p = Parser {
            s: s.as_bytes(),
            i: 0,
        };
        let v = p.value()?;
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing input at {}", p.i));
        }
        Ok(v)
    }

    struct Parser<'a> {
        s: &'a [u8],
        i: usize,
    }

    impl Parser<'_> {
        fn ws(&mut self) {
            while self.i < self.s.len() && b" \t\r\n".contains(&self.s[self.i]) {
                self.i += 1;
            }
        }
        fn eat(&mut self, c: u8) -> Result<(), String> {
            self.ws();
            if self.s.get(self.i) == Some(&c) {
                self.i += 1;
                Ok(())
            } else {
                Err(format!("expected `{}` at {}", c as char, self.i))
            }
        }
        fn value(&mut self) -> Result<Value, String> {
            self.ws();
            match self.s.get(self.i) {
                Some(b'{') => {
                    self.i += 1;
                    let mut m = BTreeMap::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Value::Obj(m));
                    }
                    loop {
                        self.ws();
                        let Value::Str(k) = self.value()? else {
                            return Err(format!("expected a key at {}", self.i));
                        };
                        self.eat(b':')?;
                        let v = self.value()?;
                        if m.insert(k.clone(), v).is_some() {
                            return Err(format!("duplicate key {k}"));
                        }
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                return Ok(Value::Obj(m));
                            }
                            _ => return Err(format!("expected `,` or `}}` at {}", self.i)),
                        }
                    }
                }
                Some(b'[') => {
                    self.i += 1;
                    let mut a = Vec::new();
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Value::Arr(a));
                    }
                    loop {
                        a.push(self.value()?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                return Ok(Value::Arr(a));
                            }
                            _ => return Err(format!("expected `,` or `]` at {}", self.i)),
                        }
                    }
                }
                Some(b'"') => {
                    self.i += 1;
                    let mut out = String::new();
                    loop {
                        let c = *self.s.get(self.i).ok_or("unterminated string")?;
                        self.i += 1;
                        match c {
                            b'"' => return Ok(Value::Str(out)),
                            b'\\' => {
                                let e = *self.s.get(self.i).ok_or("bad escape")?;
                                self.i += 1;
                                match e {
                                    b'"' | b'\\' | b'/' => out.push(e as char),
                                    b'n' => out.push('\n'),
                                    b't' => out.push('\t'),
                                    b'r' => out.push('\r'),
                                    b'b' => out.push('\u{8}'),
                                    b'f' => out.push('\u{c}'),
                                    b'u' => {
                                        let h = self.s.get(self.i..self.i + 4).ok_or("bad \\u")?;
                                        let h =
                                            std::str::from_utf8(h).map_err(|e| e.to_string())?;
                                        let c = u32::from_str_radix(h, 16)
                                            .map_err(|e| e.to_string())?;
                                        out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                        self.i += 4;
                                    }
                                    _ => return Err(format!("bad escape at {}", self.i)),
                                }
                            }
                            c if c < 0x20 => {
                                return Err(format!("control character at {}", self.i))
                            }
                            _ => {
                                // Copy one UTF-8 sequence.
                                let start = self.i - 1;
                                while self.i < self.s.len() && (self.s[self.i] & 0xC0) == 0x80 {
                                    self.i += 1;
                                }
                                out.push_str(
                                    std::str::from_utf8(&self.s[start..self.i])
                                        .map_err(|e| e.to_string())?,
                                );
                            }
                        }
                    }
                }
                Some(b't') if self.s[self.i..].starts_with(b"true") => {
                    self.i += 4;
                    Ok(Value::Bool(true))
                }
                Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                    self.i += 5;
                    Ok(Value::Bool(false))
                }
                Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                    self.i += 4;
                    Ok(Value::Null)
                }
                Some(c) if *c == b'-' || c.is_ascii_digit() => {
                    let start = self.i;
                    while self.i < self.s.len() && b"+-.eE0123456789".contains(&self.s[self.i]) {
                        self.i += 1;
                    }
                    let t = std::str::from_utf8(&self.s[start..self.i]).unwrap();
                    // JSON numbers: no leading zeros, no bare `.`.
                    let digits = t.trim_start_matches('-');
                    if digits.len() > 1 && digits.starts_with('0') && !digits[1..].starts_with('.')
                    {
                        return Err(format!("bad number {t}"));
                    }
                    t.parse()
                        .map(Value::Num)
                        .map_err(|_| format!("bad number {t}"))
                }
                _ => Err(format!("unexpected input at {}", self.i)),
            }
        }
    }

    #[test]
    fn the_parser_is_strict() {
        assert!(parse(r#"{"a":[1,2.5,-3e2,null,true,"x\u00e9"]}"#).is_ok());
        for bad in [
            "{\"a\":1,}",
            "[1,]",
            "{a:1}",
            "[01]",
            "\"\u{1}\"",
            "[1] x",
            "{\"a\":1,\"a\":2}",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
