//! Built-in connectors: stdout/log and null sinks, datagen, file and stdin sources, file sink.

use crate::connector::registry::ConnectorRegistry;

pub fn register_all(_registry: &mut ConnectorRegistry) {}
