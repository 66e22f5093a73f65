//! CSS colours for campaign branding (`style.*`).

use super::{InvalidValue, string_value};

/// A CSS colour: hex (`#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`) or a functional notation
/// (`rgb()`, `rgba()`, `hsl()`, `hsla()`) with 3 or 4 numeric arguments. Named colours are not
/// accepted: branding is specified exactly.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CssColor(String);

impl CssColor {
    /// Parses a colour; hex colours are kept in lower case, functional ones as written (trimmed).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let s = raw.trim();
        if let Some(hex) = s.strip_prefix('#') {
            if matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(Self(s.to_ascii_lowercase()));
            }
        } else if is_functional(s) {
            return Ok(Self(s.to_owned()));
        }
        Err(InvalidValue::new(
            "colour must be #rgb, #rrggbb, #rrggbbaa, rgb(), rgba(), hsl() or hsla()",
        ))
    }
}

fn is_functional(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    let Some((name, rest)) = lower.split_once('(') else {
        return false;
    };
    let Some(args) = rest.strip_suffix(')') else {
        return false;
    };
    if !matches!(name, "rgb" | "rgba" | "hsl" | "hsla") {
        return false;
    }
    let parts: Vec<&str> = args
        .split(|c: char| c == ',' || c == '/' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    matches!(parts.len(), 3 | 4)
        && parts.iter().all(|p| {
            let number = p.trim_end_matches('%').trim_end_matches("deg");
            !number.is_empty() && number.parse::<f64>().is_ok_and(f64::is_finite)
        })
}

string_value!(CssColor);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_hex_and_functional_colours() {
        for ok in [
            "#fff",
            "#FFFA",
            "#1a2b3c",
            "#1a2b3c80",
            "rgb(0, 128, 255)",
            "rgba(0,0,0,0.5)",
            "hsl(120deg 50% 50%)",
            "rgb(0 0 0 / 50%)",
        ] {
            assert!(CssColor::parse(ok).is_ok(), "{ok} should be accepted");
        }
        assert_eq!(CssColor::parse("#ABCDEF").unwrap().as_str(), "#abcdef");
    }

    #[test]
    fn rejects_everything_else() {
        for bad in [
            "",
            "#",
            "#12",
            "#12345",
            "#ggg",
            "red",
            "rgb()",
            "rgb(1,2)",
            "rgb(a,b,c)",
            "rgb(1,2,3",
            "cmyk(1,2,3,4)",
            "rgb(1,2,3,4,5)",
        ] {
            assert!(CssColor::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = CssColor::parse(&s);
        }
    }
}
