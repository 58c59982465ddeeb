//! The languages people read the suite in: zh-CN (the default) and en.

/// A language the suite's messages and notices exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }

    /// A BCP 47 tag as a request carries it, case-insensitive: empty means the
    /// default, any `zh…` is Chinese, any `en…` English; `None` for other languages.
    pub fn parse(tag: &str) -> Option<Self> {
        let tag = tag.trim().to_ascii_lowercase();
        match tag.split(['-', '_']).next().unwrap_or_default() {
            "" | "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The first language of an `accept-language` header (browsers send one with
    /// every gRPC-Web call); anything unsupported falls back to zh-CN.
    pub fn from_accept_language(header: &str) -> Self {
        header.split([',', ';']).next().and_then(Self::parse).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_the_two_languages() {
        assert_eq!(Locale::parse(""), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh_Hans"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("en"), Some(Locale::En));
        assert_eq!(Locale::parse("EN-us"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::parse("english"), None);
        assert_eq!(Locale::parse(Locale::En.as_str()), Some(Locale::En));
    }

    #[test]
    fn the_first_accepted_language_decides() {
        assert_eq!(Locale::from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8"), Locale::En);
        assert_eq!(Locale::from_accept_language("zh-CN,zh;q=0.9,en;q=0.8"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language("fr-FR,en;q=0.5"), Locale::ZhCn);
        assert_eq!(Locale::from_accept_language(""), Locale::ZhCn);
    }
}
