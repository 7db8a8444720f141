//! Files through the gateway: downloads from server-streaming RPCs of `FileChunk`s, sent as
//! chunked responses, and multipart uploads streamed into client-streaming RPCs. Neither is held
//! whole in memory.

use crate::problem::Problem;
use axum::response::Response;
use http::{HeaderValue, header};
use tinhso_platform::ErrorCode;

/// A download: the first chunk names the file and sets the headers; the chunks' bytes follow as
/// they arrive, never held whole. An error after the first chunk can no longer change the
/// status, so the connection is cut and the client sees an incomplete transfer, not a file.
pub async fn download(
    mut stream: tonic::Streaming<prost_reflect::DynamicMessage>,
) -> Result<Response, Problem> {
    let chunk = stream
        .message()
        .await
        .map_err(|status| Problem::from_status(&status))?
        .map(|first| file_chunk(&first))
        .unwrap_or_default();
    let content_type = if chunk.content_type.is_empty() {
        "application/octet-stream".to_string()
    } else {
        chunk.content_type.clone()
    };
    let filename = if chunk.filename.is_empty() {
        "tep-tai-ve".to_string()
    } else {
        chunk.filename.clone()
    };
    let first_bytes = axum::body::Bytes::from(chunk.data);
    let rest = futures_util::stream::unfold(stream, |mut stream| async move {
        match stream.message().await {
            Ok(Some(message)) => Some((
                Ok(axum::body::Bytes::from(file_chunk(&message).data)),
                stream,
            )),
            Ok(None) => None,
            Err(status) => {
                tracing::warn!(code = ?status.code(), "download interrupted by the service");
                Some((Err(std::io::Error::other("download interrupted")), stream))
            }
        }
    });
    let body = futures_util::StreamExt::chain(
        futures_util::stream::once(async move { Ok::<_, std::io::Error>(first_bytes) }),
        rest,
    );
    let mut response = Response::new(axum::body::Body::from_stream(body));
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        h.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&content_disposition(&filename)) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// A dynamic FileChunk as the typed message.
fn file_chunk(message: &prost_reflect::DynamicMessage) -> tinhso_proto::common::v1::FileChunk {
    use prost::Message as _;
    tinhso_proto::common::v1::FileChunk::decode(message.encode_to_vec().as_slice())
        .unwrap_or_default()
}

/// `attachment` with an ASCII fallback name and the UTF-8 name (RFC 6266 / RFC 8187), so
/// Vietnamese file names survive every browser.
fn content_disposition(filename: &str) -> String {
    let ascii: String = tinhso_platform::vn::fold(filename)
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded =
        percent_encoding::utf8_percent_encode(filename, percent_encoding::NON_ALPHANUMERIC);
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// An upload being read: the multipart body turned into request messages on demand.
pub struct UploadMessages {
    body: axum::body::Body,
    boundary: String,
    first: prost_reflect::DynamicMessage,
    field: prost_reflect::FieldDescriptor,
    limit: usize,
}

pub fn upload_messages(
    body: axum::body::Body,
    boundary: String,
    first: prost_reflect::DynamicMessage,
    field: prost_reflect::FieldDescriptor,
    limit: usize,
) -> UploadMessages {
    UploadMessages {
        body,
        boundary,
        first,
        field,
        limit,
    }
}

impl UploadMessages {
    /// Streams the file part into `call` while reading it. A bad or oversize upload cancels the
    /// call (the service sees an interrupted stream and keeps nothing) and becomes the problem.
    pub async fn send<F, Fut>(self, call: F) -> Result<prost_reflect::DynamicMessage, Problem>
    where
        F: FnOnce(tokio_stream::wrappers::ReceiverStream<prost_reflect::DynamicMessage>) -> Fut,
        Fut: std::future::Future<Output = Result<prost_reflect::DynamicMessage, tonic::Status>>,
    {
        let (sender, receiver) = tokio::sync::mpsc::channel(4);
        let reader = read_upload(self, sender);
        let call = call(tokio_stream::wrappers::ReceiverStream::new(receiver));
        tokio::pin!(call);
        tokio::select! {
            read = reader => {
                read?;
                call.await.map_err(|status| Problem::from_status(&status))
            }
            answered = &mut call => answered.map_err(|status| Problem::from_status(&status)),
        }
    }
}

async fn read_upload(
    upload: UploadMessages,
    sender: tokio::sync::mpsc::Sender<prost_reflect::DynamicMessage>,
) -> Result<(), Problem> {
    use prost_reflect::{DynamicMessage, ReflectMessage as _, Value};
    let bad = |code: ErrorCode, vi: &str, en: &str| {
        Problem::from_app_error(&tinhso_platform::AppError::invalid(
            upload.field.json_name(),
            code,
            vi,
            en,
        ))
    };
    let chunk_desc = upload.field.kind().as_message().cloned().ok_or_else(|| {
        bad(
            ErrorCode::NotAFileField,
            "Trường không nhận tệp",
            "not a file field",
        )
    })?;
    let mut multipart =
        multer::Multipart::new(upload.body.into_data_stream(), upload.boundary.clone());
    let mut total = 0usize;
    let mut first = Some(upload.first.clone());
    while let Some(mut part) = multipart.next_field().await.map_err(|_| {
        bad(
            ErrorCode::MalformedMultipart,
            "Nội dung multipart không hợp lệ",
            "malformed multipart body",
        )
    })? {
        let is_file = part.file_name().is_some() || part.name() == Some(upload.field.json_name());
        if !is_file {
            continue;
        }
        let filename = part.file_name().unwrap_or_default().to_string();
        let content_type = part
            .content_type()
            .map(|m| m.to_string())
            .unwrap_or_default();
        let mut announced = false;
        loop {
            let piece = part.chunk().await.map_err(|_| {
                bad(
                    ErrorCode::MalformedMultipart,
                    "Nội dung multipart không hợp lệ",
                    "malformed multipart body",
                )
            })?;
            let Some(piece) = piece else { break };
            total += piece.len();
            if total > upload.limit {
                return Err(Problem::payload_too_large(upload.limit));
            }
            let mut chunk = DynamicMessage::new(chunk_desc.clone());
            if !announced {
                chunk.set_field_by_name("filename", Value::String(filename.clone()));
                chunk.set_field_by_name("content_type", Value::String(content_type.clone()));
                announced = true;
            }
            chunk.set_field_by_name("data", Value::Bytes(piece));
            let mut message = first
                .take()
                .unwrap_or_else(|| DynamicMessage::new(upload.first.descriptor()));
            message.set_field(&upload.field, Value::Message(chunk));
            if sender.send(message).await.is_err() {
                return Ok(()); // the service already answered
            }
        }
        if !announced {
            return Err(bad(ErrorCode::FileEmpty, "Tệp rỗng", "the file is empty"));
        }
        return Ok(()); // one file per upload; dropping the sender ends the stream
    }
    Err(bad(
        ErrorCode::FileMissing,
        "Thiếu tệp tải lên (trường file)",
        "no file part in the upload",
    ))
}
