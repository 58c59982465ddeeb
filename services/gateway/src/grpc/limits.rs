//! Request size limits per RPC. tonic sets its decoding limit per service, so each
//! service of the gateway is wrapped in [`SizeLimited`], which reads the length
//! every gRPC message declares in its 5-byte prefix as the body streams in and
//! refuses the request as soon as one exceeds its RPC's limit — before the message
//! is buffered. 4 MiB for every RPC; only RPCs that take documents accept a whole
//! application (ten 5 MiB documents and the form).

use std::{
    pin::Pin,
    task::{Context, Poll, ready},
};

use bytes::Bytes;
use http_body::Frame;
use tonic::{Status, body::Body, server::NamedService};
use tower::Service;

use crate::{error::Error, model::reviews::MAX_APPLICATION_BYTES};

/// The limit of every RPC that takes no documents.
pub const DEFAULT_MESSAGE_BYTES: usize = 4 * 1024 * 1024;
/// The limit of RPCs that take documents; also tonic's own limit on their services,
/// so that [`SizeLimited`] is the one that decides.
pub const DOCUMENT_MESSAGE_BYTES: usize = MAX_APPLICATION_BYTES;

/// A gRPC service whose RPCs named in `document_rpcs` (method names) accept
/// [`DOCUMENT_MESSAGE_BYTES`], every other [`DEFAULT_MESSAGE_BYTES`].
#[derive(Debug, Clone)]
pub struct SizeLimited<S> {
    inner: S,
    document_rpcs: &'static [&'static str],
}

impl<S> SizeLimited<S> {
    pub fn new(inner: S, document_rpcs: &'static [&'static str]) -> Self {
        Self { inner, document_rpcs }
    }

    fn limit_of(&self, path: &str) -> usize {
        let method = path.rsplit('/').next().unwrap_or_default();
        if self.document_rpcs.contains(&method) { DOCUMENT_MESSAGE_BYTES } else { DEFAULT_MESSAGE_BYTES }
    }
}

impl<S: NamedService> NamedService for SizeLimited<S> {
    const NAME: &'static str = S::NAME;
}

impl<S> Service<http::Request<Body>> for SizeLimited<S>
where
    S: Service<http::Request<Body>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<Body>) -> Self::Future {
        let limit = self.limit_of(request.uri().path());
        self.inner
            .call(request.map(|body| Body::new(LimitedBody { inner: body, frames: Frames::new(limit) })))
    }
}

/// A request body that fails (with the status the client gets) once a message
/// declares more than the limit.
struct LimitedBody {
    inner: Body,
    frames: Frames,
}

impl http_body::Body for LimitedBody {
    type Data = Bytes;
    type Error = Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Status>>> {
        if self.frames.refused {
            return Poll::Ready(None);
        }
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        let data = frame.as_ref().and_then(|f| f.as_ref().ok()).and_then(Frame::data_ref);
        if let Some(limit_bytes) = data.and_then(|data| self.frames.read(data).err()) {
            return Poll::Ready(Some(Err(Error::RequestTooLarge { limit_bytes }.into())));
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.frames.refused || self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Follows the gRPC framing (1 flag byte, 4 length bytes, the message) across chunks.
#[derive(Debug)]
struct Frames {
    limit: usize,
    prefix: [u8; 5],
    prefix_read: usize,
    message_left: usize,
    refused: bool,
}

impl Frames {
    fn new(limit: usize) -> Self {
        Self { limit, prefix: [0; 5], prefix_read: 0, message_left: 0, refused: false }
    }

    /// Err(limit) as soon as a prefix declares a message longer than the limit.
    fn read(&mut self, mut data: &[u8]) -> Result<(), usize> {
        while !data.is_empty() {
            if self.message_left > 0 {
                let skip = self.message_left.min(data.len());
                self.message_left -= skip;
                data = &data[skip..];
                continue;
            }
            let take = (5 - self.prefix_read).min(data.len());
            self.prefix[self.prefix_read..self.prefix_read + take].copy_from_slice(&data[..take]);
            self.prefix_read += take;
            data = &data[take..];
            if self.prefix_read == 5 {
                self.prefix_read = 0;
                let [_, a, b, c, d] = self.prefix;
                let declared = usize::try_from(u32::from_be_bytes([a, b, c, d])).unwrap_or(usize::MAX);
                if declared > self.limit {
                    self.refused = true;
                    return Err(self.limit);
                }
                self.message_left = declared;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(length: u32) -> Vec<u8> {
        let mut prefix = vec![0];
        prefix.extend_from_slice(&length.to_be_bytes());
        prefix
    }

    #[test]
    fn a_declared_length_over_the_limit_is_refused_at_once() {
        let mut frames = Frames::new(10);
        assert_eq!(frames.read(&prefix(11)), Err(10));
        assert!(frames.refused);
    }

    #[test]
    fn messages_within_the_limit_pass_in_any_chunking() {
        let mut stream = prefix(10);
        stream.extend_from_slice(&[7; 10]);
        stream.extend_from_slice(&prefix(0));
        stream.extend_from_slice(&prefix(3));
        stream.extend_from_slice(&[1, 2, 3]);
        for chunk in 1..stream.len() {
            let mut frames = Frames::new(10);
            for piece in stream.chunks(chunk) {
                assert_eq!(frames.read(piece), Ok(()), "chunks of {chunk}");
            }
        }
        // the second message's prefix, split across chunks, is still read
        let mut frames = Frames::new(10);
        let mut over = prefix(2);
        over.extend_from_slice(&[0, 0]);
        over.extend_from_slice(&prefix(4096));
        assert_eq!(frames.read(&over[..8]), Ok(()));
        assert_eq!(frames.read(&over[8..]), Err(10));
    }

    #[test]
    fn only_document_rpcs_get_the_raised_limit() {
        let limited = SizeLimited::new((), &["RequestAccountLookupReview"]);
        assert_eq!(
            limited.limit_of("/beian.gateway.v1.AccountLookupService/RequestAccountLookupReview"),
            DOCUMENT_MESSAGE_BYTES
        );
        assert_eq!(
            limited.limit_of("/beian.gateway.v1.AccountLookupService/StartAccountLookup"),
            DEFAULT_MESSAGE_BYTES
        );
    }
}
