//! Built-in connectors: stdout/log and null sinks, datagen, file and stdin sources, file sink.

mod datagen;
mod file_sink;
mod file_source;
mod lines;
mod null;
mod stdin;
mod stdout;
#[cfg(test)]
mod test_util;

pub use datagen::DatagenSourceFactory;
pub use file_sink::FileSinkFactory;
pub use file_source::FileSourceFactory;
pub use null::{NullSink, NullSinkFactory};
pub use stdin::StdinSourceFactory;
pub use stdout::StdoutSinkFactory;
