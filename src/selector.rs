//! Asset selectors: the one grammar every per-asset option uses (`--rpo ASSET=…`,
//! `--schutzbedarf ASSET=…`). A selector is an exact asset id, host name (any case) or
//! address, or a glob over them (`db*`, `web0?.example.de`, `10.0.1.*`, `*-prod`), case-insensitive.

use globset::{GlobBuilder, GlobMatcher};

/// One asset selector.
#[derive(Debug, Clone)]
pub struct AssetSelector {
    text: String,
    glob: Option<GlobMatcher>,
}

impl PartialEq for AssetSelector {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for AssetSelector {}

impl AssetSelector {
    /// Parses a selector: a glob when it has `*`, `?` or `[`, else an exact name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(
                "an empty asset name: expected a name, an address or a glob like db*".into(),
            );
        }
        let glob = if text.contains(['*', '?', '[']) {
            let glob = GlobBuilder::new(text)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("`{text}` is not a valid glob: {}", e.kind()))?;
            Some(glob.compile_matcher())
        } else {
            None
        };
        Ok(Self {
            text: text.to_owned(),
            glob,
        })
    }

    /// The selector as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether any of an asset's names (its id, host names, address) is selected.
    pub fn matches<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> bool {
        names.into_iter().any(|name| match &self.glob {
            Some(glob) => glob.is_match(name),
            None => name.eq_ignore_ascii_case(&self.text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_names_and_globs_select_in_any_case() {
        let db = AssetSelector::parse("db*").unwrap();
        assert!(db.matches(["DB01.example.de"]));
        assert!(!db.matches(["web01", "10.0.0.5"]));
        let exact = AssetSelector::parse("Web01").unwrap();
        assert!(exact.matches(["web01"]));
        assert!(!exact.matches(["web011"]));
        let net = AssetSelector::parse("10.0.1.*").unwrap();
        assert!(net.matches(["10.0.1.17"]) && !net.matches(["10.0.10.1"]));
        let path_like = AssetSelector::parse("*/sshd-T").unwrap();
        assert!(path_like.matches(["ssh/sshd-T"]));
        assert!(AssetSelector::parse("db[").is_err());
        assert!(AssetSelector::parse(" ").is_err());
    }
}
