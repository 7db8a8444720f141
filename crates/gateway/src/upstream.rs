//! Calls to the services: one lazily connected, multiplexed HTTP/2 channel per upstream (tonic
//! pools and reconnects it), a codec for dynamic messages, deadlines on every call, and retries
//! for idempotent reads only.

use prost::Message as _;
use prost_reflect::{DynamicMessage, MessageDescriptor};
use std::collections::HashMap;
use std::time::Duration;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::transport::{Channel, Endpoint};

/// Encodes a dynamic request and decodes the response into a dynamic message of its type.
#[derive(Debug, Clone)]
pub struct DynamicCodec {
    response: MessageDescriptor,
}

impl Codec for DynamicCodec {
    type Encode = DynamicMessage;
    type Decode = DynamicMessage;
    type Encoder = DynamicEncoder;
    type Decoder = DynamicDecoder;

    fn encoder(&mut self) -> Self::Encoder {
        DynamicEncoder
    }

    fn decoder(&mut self) -> Self::Decoder {
        DynamicDecoder(self.response.clone())
    }
}

#[derive(Debug)]
pub struct DynamicEncoder;

impl Encoder for DynamicEncoder {
    type Item = DynamicMessage;
    type Error = tonic::Status;

    fn encode(&mut self, item: Self::Item, dst: &mut EncodeBuf<'_>) -> Result<(), Self::Error> {
        item.encode(dst)
            .map_err(|e| tonic::Status::internal(format!("encoding request: {e}")))
    }
}

#[derive(Debug)]
pub struct DynamicDecoder(MessageDescriptor);

impl Decoder for DynamicDecoder {
    type Item = DynamicMessage;
    type Error = tonic::Status;

    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<Self::Item>, Self::Error> {
        DynamicMessage::decode(self.0.clone(), src)
            .map(Some)
            .map_err(|e| tonic::Status::internal(format!("decoding response: {e}")))
    }
}

/// The channels to every configured upstream, by domain (`identity`, `personnel`, ...).
#[derive(Debug, Clone, Default)]
pub struct Upstreams {
    channels: HashMap<String, Channel>,
}

impl Upstreams {
    /// Creates a lazily connected channel per upstream address (`http://host:port`).
    pub fn connect_lazy(addresses: &HashMap<String, String>) -> Result<Self, String> {
        let mut channels = HashMap::new();
        for (domain, address) in addresses {
            let endpoint = Endpoint::from_shared(address.clone())
                .map_err(|e| format!("upstreams.{domain}: `{address}`: {e}"))?
                .connect_timeout(Duration::from_secs(3))
                .tcp_nodelay(true)
                .http2_keep_alive_interval(Duration::from_secs(30))
                .keep_alive_while_idle(true);
            channels.insert(domain.clone(), endpoint.connect_lazy());
        }
        Ok(Self { channels })
    }

    pub fn get(&self, domain: &str) -> Option<&Channel> {
        self.channels.get(domain)
    }

    pub fn domains(&self) -> impl Iterator<Item = (&String, &Channel)> {
        self.channels.iter()
    }
}

/// One unary call with a deadline; reads are retried twice when the upstream is unavailable
/// (a restarting pod), writes never (they might have been applied).
pub async fn unary(
    channel: &Channel,
    grpc_path: &str,
    response: MessageDescriptor,
    message: DynamicMessage,
    metadata: tonic::metadata::MetadataMap,
    timeout: Duration,
    retry: bool,
) -> Result<DynamicMessage, tonic::Status> {
    let path: http::uri::PathAndQuery = grpc_path
        .parse()
        .map_err(|_| tonic::Status::internal("bad grpc path"))?;
    let attempts = if retry { 3 } else { 1 };
    // One deadline for the whole call: retries share it rather than each starting afresh.
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last = tonic::Status::unavailable("no attempt made");
    for attempt in 0..attempts {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(100 * 3u64.pow(attempt - 1))).await;
        }
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            break;
        }
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        let mut request = tonic::Request::from_parts(
            metadata.clone(),
            tonic::Extensions::default(),
            message.clone(),
        );
        request.set_timeout(left);
        let call = async {
            grpc.ready()
                .await
                .map_err(|e| tonic::Status::unavailable(format!("upstream not ready: {e}")))?;
            grpc.unary(
                request,
                path.clone(),
                DynamicCodec {
                    response: response.clone(),
                },
            )
            .await
        };
        match tokio::time::timeout(left, call).await {
            Ok(Ok(reply)) => return Ok(reply.into_inner()),
            Ok(Err(status)) => match lost_connection(status) {
                status if status.code() == tonic::Code::Unavailable => last = status,
                status => return Err(status),
            },
            Err(_) => return Err(tonic::Status::deadline_exceeded("upstream timed out")),
        }
    }
    Err(last)
}

/// A call that failed in the connection rather than in the service (the service was killed, or
/// its pod went away mid-call) comes back from tonic as UNKNOWN, INTERNAL or CANCELLED with the
/// transport error as its source and none of our error details. That is the upstream being
/// unavailable (503), not a bug (500) nor the client going away (499).
pub fn lost_connection(status: tonic::Status) -> tonic::Status {
    use std::error::Error as _;
    let from_transport = status.source().is_some()
        && tinhso_platform::error::detail_of(&status).is_none()
        && matches!(
            status.code(),
            tonic::Code::Unknown | tonic::Code::Internal | tonic::Code::Cancelled
        );
    if from_transport {
        tracing::warn!(
            message = status.message(),
            "upstream connection lost mid-call"
        );
        tonic::Status::unavailable("upstream connection lost")
    } else {
        status
    }
}

fn grpc_path_of(grpc_path: &str) -> Result<http::uri::PathAndQuery, tonic::Status> {
    grpc_path
        .parse()
        .map_err(|_| tonic::Status::internal("bad grpc path"))
}

/// Starts a server-streaming call (a download); the stream yields the response messages.
pub async fn server_stream(
    channel: &Channel,
    grpc_path: &str,
    response: MessageDescriptor,
    message: DynamicMessage,
    metadata: tonic::metadata::MetadataMap,
    timeout: Duration,
) -> Result<tonic::Streaming<DynamicMessage>, tonic::Status> {
    let path = grpc_path_of(grpc_path)?;
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    let mut request = tonic::Request::from_parts(metadata, tonic::Extensions::default(), message);
    request.set_timeout(timeout);
    let call = async {
        grpc.ready()
            .await
            .map_err(|e| tonic::Status::unavailable(format!("upstream not ready: {e}")))?;
        grpc.server_streaming(request, path, DynamicCodec { response })
            .await
    };
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result
            .map(tonic::Response::into_inner)
            .map_err(lost_connection),
        Err(_) => Err(tonic::Status::deadline_exceeded("upstream timed out")),
    }
}

/// A client-streaming call (an upload) fed by `messages`; never retried.
pub async fn client_stream(
    channel: &Channel,
    grpc_path: &str,
    response: MessageDescriptor,
    messages: impl futures_util::Stream<Item = DynamicMessage> + Send + 'static,
    metadata: tonic::metadata::MetadataMap,
    timeout: Duration,
) -> Result<DynamicMessage, tonic::Status> {
    let path = grpc_path_of(grpc_path)?;
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    let mut request = tonic::Request::from_parts(metadata, tonic::Extensions::default(), messages);
    request.set_timeout(timeout);
    let call = async {
        grpc.ready()
            .await
            .map_err(|e| tonic::Status::unavailable(format!("upstream not ready: {e}")))?;
        grpc.client_streaming(request, path, DynamicCodec { response })
            .await
    };
    match tokio::time::timeout(timeout, call).await {
        Ok(result) => result
            .map(tonic::Response::into_inner)
            .map_err(lost_connection),
        Err(_) => Err(tonic::Status::deadline_exceeded("upstream timed out")),
    }
}
