//! `forwarder` sink and source: collector-to-collector transport over TCP with at-least-once
//! delivery. The sender numbers each batch and waits for its acknowledgement; the receiver
//! acknowledges a batch only after every sink of its app has delivered it and synced it to disk.
//! A batch not acknowledged (connection lost, receiver killed) is sent again after the
//! reconnect, so a receiver that crashed may see it twice; duplicates within one connection
//! are recognised, skipped and counted.
//!
//! Frames: `len:u32 LE · kind:u8 · body[len-1]`.
//! - HELLO (1): JSON `{"version":1,"token":..,"stream":..,"session":..}` from the sender.
//! - WELCOME (2): empty; REFUSED (5): a UTF-8 reason, then the receiver closes; BUSY (6): the
//!   receiver is at `max.connections`, a UTF-8 reason, try again later.
//! - BATCH (3): `seq:u64 · count:u32 · flags:u8 (bit 0 = LZ4 block) · records`, a record being
//!   `ts:i64 · len:u32 · row` in the `binary` row encoding.
//! - ACK (4): `seq:u64`, sent once the batch is durable downstream.
//!
//! Files: `protocol` (frames and batch bodies), `sink` (the sender), `source` (the receiver).

mod protocol;
mod sink;
mod source;

pub use sink::ForwarderSinkFactory;
pub use source::ForwarderSourceFactory;

use crate::connector::param::Param;

/// The shared secret, checked by the receiver.
const AUTH_TOKEN: Param<Option<String>> = Param::optional(
    "auth.token",
    None,
    "Shared secret: the receiver refuses senders whose token differs. It travels in clear text: \
     use the forwarder on a trusted network or inside a tunnel.",
    "${FORWARDER_SECRET}",
);

/// Fuzzing: reads frames from `data` as the receiver does, decoding a HELLO and every BATCH
/// body against `schema`, until the bytes run out or a frame is damaged.
pub(crate) fn fuzz_frames(data: &[u8], schema: &crate::schema::Schema) {
    let mut input = std::io::Cursor::new(data);
    while let Ok((kind, body)) = protocol::read_frame(&mut input) {
        match kind {
            protocol::HELLO => {
                let _ = serde_json::from_slice::<protocol::Hello>(&body);
            }
            protocol::BATCH => {
                let _ = protocol::decode_batch(&body, schema);
            }
            _ => {}
        }
    }
}
