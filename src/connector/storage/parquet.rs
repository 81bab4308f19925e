//! Not built yet.

use crate::connector::registry::ConnectorRegistry;

pub fn register(_registry: &mut ConnectorRegistry) {}
