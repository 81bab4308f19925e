//! The built-in scalar functions.

use super::ScalarFunction;

pub fn builtins() -> Vec<ScalarFunction> {
    Vec::new()
}
