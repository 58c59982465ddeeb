//! The language of the messages people receive.

/// zh-CN unless English is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    ZhCn,
    En,
}

impl Locale {
    /// `""`, `zh-CN` (or any `zh…`) and `en` (or any `en-…`), case-insensitive;
    /// `None` for anything else.
    pub fn parse(input: &str) -> Option<Self> {
        let tag = input.trim().to_ascii_lowercase();
        let language = tag.split(['-', '_']).next().unwrap_or_default();
        match language {
            "" | "zh" => Some(Self::ZhCn),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ZhCn => "zh-CN",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_the_two_languages() {
        assert_eq!(Locale::parse(""), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh-CN"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("zh_cn"), Some(Locale::ZhCn));
        assert_eq!(Locale::parse("en"), Some(Locale::En));
        assert_eq!(Locale::parse("en-US"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
        assert_eq!(Locale::parse("english"), None);
        assert_eq!(Locale::parse(Locale::En.as_str()), Some(Locale::En));
    }
}
