//! Scalar function library and the registry that users extend with UDFs.
//!
//! Aggregate functions (count, sum, ...) belong to the windows work and will live in
//! `functions/aggregate/` with their own registry.

pub mod aggregate;
pub mod frame;
mod scalar;

use crate::value::{AttrType, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a function sees besides its arguments.
pub struct FnContext<'a> {
    /// Timestamp of the event being evaluated.
    pub event_ts: i64,
    /// The app clock (wall or playback), read only when a function asks.
    pub clock: &'a crate::clock::Clock,
    /// `[start, end)` of the time window whose output is being computed (epoch ms), for
    /// `window_start()` / `window_end()`; `None` outside a time window's selector.
    pub window: Option<(i64, i64)>,
}

/// Decides a call's result type from its argument types (`None` = a NULL literal), or explains
/// why the arguments do not fit (e.g. "upper expects STRING, got INT as argument 1").
pub type TypeRule = Arc<dyn Fn(&[Option<AttrType>]) -> Result<AttrType, String> + Send + Sync>;

/// The implementation. Must not panic; returns `Value::Null` for inputs it cannot handle.
pub type ScalarImpl = Arc<dyn Fn(&[Value], &FnContext) -> Value + Send + Sync>;

/// A scalar function: one value per event.
#[derive(Clone)]
pub struct ScalarFunction {
    /// Lower-case name it is called by.
    pub name: String,
    /// For the docs: `substr(s STRING, start INT[, len INT]) -> STRING`.
    pub signature: String,
    pub description: String,
    pub type_rule: TypeRule,
    pub eval: ScalarImpl,
    /// Whether the result depends only on the arguments (constant folding may apply).
    pub deterministic: bool,
}

impl ScalarFunction {
    /// A UDF that accepts any arguments and returns `returns`.
    pub fn simple(
        name: &str,
        returns: AttrType,
        f: impl Fn(&[Value]) -> Value + Send + Sync + 'static,
    ) -> ScalarFunction {
        ScalarFunction {
            name: name.to_ascii_lowercase(),
            signature: format!("{name}(...) -> {returns}"),
            description: "User-defined function.".into(),
            type_rule: Arc::new(move |_| Ok(returns)),
            eval: Arc::new(move |args, _| f(args)),
            deterministic: true,
        }
    }
}

/// Functions by lower-case name.
#[derive(Clone, Default)]
pub struct FunctionRegistry {
    scalars: BTreeMap<String, Arc<ScalarFunction>>,
}

impl FunctionRegistry {
    /// The built-in library.
    pub fn with_builtins() -> Self {
        let mut r = Self::default();
        for f in scalar::builtins().into_iter().chain(frame::builtins()) {
            r.register(f);
        }
        r
    }

    /// Adds or replaces a function.
    pub fn register(&mut self, f: ScalarFunction) {
        self.scalars
            .insert(f.name.to_ascii_lowercase(), Arc::new(f));
    }

    pub fn get(&self, name: &str) -> Option<&Arc<ScalarFunction>> {
        self.scalars.get(&name.to_ascii_lowercase())
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.scalars.keys().map(String::as_str)
    }

    pub fn all(&self) -> impl Iterator<Item = &Arc<ScalarFunction>> {
        self.scalars.values()
    }
}
