//! `null` sink: discards events, counting them. The benchmark sink.

use crate::connector::config::ConnectorConfig;
use crate::connector::spec::ConnectorSpec;
use crate::connector::{ConnectorError, Rejects, Sink, SinkFactory, SinkMapper};
use crate::event::Event;
use crate::schema::Schema;

pub struct NullSinkFactory;

impl SinkFactory for NullSinkFactory {
    fn spec(&self) -> ConnectorSpec {
        ConnectorSpec {
            name: "null",
            aliases: &[],
            description: "Discards every event (after counting it). Use it to benchmark a \
                query without any output cost, or to keep a stream's results only in the \
                app's metrics. Takes no parameters and no @map.",
            params: vec![],
            formats: &[],
            default_format: None,
            example: "@sink(type='null')",
        }
    }

    fn create(
        &self,
        config: &ConnectorConfig,
        _schema: &Schema,
        _mapper: Option<Box<dyn SinkMapper>>,
    ) -> Result<Box<dyn Sink>, ConnectorError> {
        Ok(Box::new(NullSink::new(&config.stream)))
    }
}

/// Counts the events it is handed and drops them: O(1) per batch.
#[derive(Debug, Default)]
pub struct NullSink {
    stream: String,
    events: u64,
}

impl NullSink {
    pub fn new(stream: &str) -> Self {
        NullSink {
            stream: stream.to_string(),
            events: 0,
        }
    }

    /// Events published so far.
    pub fn events(&self) -> u64 {
        self.events
    }
}

impl Sink for NullSink {
    fn publish(&mut self, events: &[Event], _rejects: &mut Rejects) -> Result<(), ConnectorError> {
        self.events += events.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> Result<(), ConnectorError> {
        log::debug!(
            "null sink on '{}' discarded {} events",
            self.stream,
            self.events
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn counts_events() {
        let mut sink = NullSink::new("S");
        let mut rejects = Rejects::default();
        let batch: Vec<Event> = (0..10)
            .map(|i| Event::new(i, vec![Value::Long(i)]))
            .collect();
        sink.publish(&batch, &mut rejects).unwrap();
        sink.publish(&batch[..3], &mut rejects).unwrap();
        sink.flush().unwrap();
        assert_eq!(sink.events(), 13);
        assert!(rejects.items.is_empty());
        assert!(NullSinkFactory.spec().formats.is_empty());
    }
}
