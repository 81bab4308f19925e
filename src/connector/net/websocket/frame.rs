//! One event as one WebSocket frame, text or binary (`websocket.message.type`): shared by the
//! client sink and the server sink.

use crate::connector::param::{Choice, Param};
use crate::connector::{ConnectorError, SinkMapper};
use crate::event::Event;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageType {
    Text,
    Binary,
}

pub const MESSAGE_TYPE: Param<Choice<MessageType>> = Param::choice(
    "websocket.message.type",
    &[("text", MessageType::Text), ("binary", MessageType::Binary)],
    MessageType::Text,
    "Frame type of each event: text (the payload must be UTF-8) or binary.",
    "binary",
);

/// Encodes one event as a frame; `scratch` is reused between events.
pub fn encode_frame(
    mapper: &mut dyn SinkMapper,
    kind: MessageType,
    event: &Event,
    scratch: &mut Vec<u8>,
) -> Result<Message, ConnectorError> {
    scratch.clear();
    mapper
        .encode(event, scratch)
        .map_err(ConnectorError::permanent)?;
    let bytes = bytes::Bytes::copy_from_slice(scratch);
    Ok(match kind {
        MessageType::Binary => Message::Binary(bytes),
        MessageType::Text => Message::Text(Utf8Bytes::try_from(bytes).map_err(|_| {
            ConnectorError::permanent(
                "the encoded event is not UTF-8; use websocket.message.type='binary'",
            )
        })?),
    })
}
