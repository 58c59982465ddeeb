//! Who is asking, as far as the gateway can tell: the client's address (for
//! per-client limits) and the language of messages and notices.

use tonic::metadata::MetadataMap;

/// The language people read: zh-CN unless the caller asks for English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
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

    /// From `accept-language`: the first language listed decides (browsers
    /// send it with every gRPC-Web call).
    pub fn from_metadata(metadata: &MetadataMap) -> Self {
        let first = metadata
            .get("accept-language")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if first.starts_with("en") { Self::En } else { Self::ZhCn }
    }
}

/// The request's origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    pub ip: String,
    pub locale: Locale,
}

impl Client {
    pub fn of<T>(request: &tonic::Request<T>) -> Self {
        Self {
            // a TCP peer always has an address; 0.0.0.0 marks "none" (in-memory transports)
            ip: request.remote_addr().map_or_else(|| "0.0.0.0".into(), |a| a.ip().to_string()),
            locale: Locale::from_metadata(request.metadata()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_only_when_asked_first() {
        let mut metadata = MetadataMap::new();
        assert_eq!(Locale::from_metadata(&metadata), Locale::ZhCn);
        metadata.insert("accept-language", "en-US,en;q=0.9,zh-CN;q=0.8".parse().expect("ascii"));
        assert_eq!(Locale::from_metadata(&metadata), Locale::En);
        metadata.insert("accept-language", "zh-CN,zh;q=0.9,en;q=0.8".parse().expect("ascii"));
        assert_eq!(Locale::from_metadata(&metadata), Locale::ZhCn);
    }
}
