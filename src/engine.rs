//! The embedded API's entry point: registries plus the compiler.

use crate::connector::mapper::MapperFactory;
use crate::connector::registry::ConnectorRegistry;
use crate::connector::{SinkFactory, SourceFactory};
use crate::functions::{FunctionRegistry, ScalarFunction};
use crate::plan::bind::Binder;
use crate::runtime::app::{App, RunOptions};
use crate::sql::diagnostic::CompileErrors;
use crate::value::{AttrType, Value};
use std::sync::Arc;

/// Compiles apps. Holds the connector and function registries that apps are checked against;
/// register custom functions and connectors before compiling.
///
/// ```
/// use eventflux::{AttrType, Engine, Value};
///
/// let mut engine = Engine::new();
/// engine.register_function("double_it", AttrType::Double, |v: &[Value]| {
///     v[0].as_f64().map_or(Value::Null, |x| Value::Double(x * 2.0))
/// });
/// let app = engine.compile(
///     "CREATE STREAM Trades (symbol STRING, price DOUBLE, volume INT);
///      INSERT INTO Out SELECT symbol, double_it(price) AS p2 FROM Trades WHERE volume > 500;",
/// )?;
/// let out = app.subscribe("Out")?;
/// app.start()?;
/// let trades = app.input("Trades")?;
/// trades.send(vec![Value::from("IBM"), 700.0.into(), 1000.into()])?;
/// trades.send_batch(vec![vec![Value::from("WSO2"), 60.5.into(), 10.into()]])?;
/// let stats = app.shutdown()?;
/// let got = out.drain();
/// assert_eq!(got.len(), 1);
/// assert_eq!(got[0].data[1], Value::Double(1400.0));
/// assert_eq!(stats.streams.iter().find(|s| s.0 == "Trades").unwrap().1, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Engine {
    connectors: ConnectorRegistry,
    functions: FunctionRegistry,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with the built-in connectors, mappers and functions.
    pub fn new() -> Engine {
        Engine {
            connectors: ConnectorRegistry::with_builtins(),
            functions: FunctionRegistry::with_builtins(),
        }
    }

    /// Registers a scalar UDF that accepts any arguments and returns `returns`.
    pub fn register_function(
        &mut self,
        name: &str,
        returns: AttrType,
        f: impl Fn(&[Value]) -> Value + Send + Sync + 'static,
    ) {
        self.functions
            .register(ScalarFunction::simple(name, returns, f));
    }

    /// Registers a scalar function with its own type rule and docs.
    pub fn register_scalar(&mut self, f: ScalarFunction) {
        self.functions.register(f);
    }

    pub fn register_source(&mut self, factory: Arc<dyn SourceFactory>) {
        self.connectors.register_source(factory);
    }

    pub fn register_sink(&mut self, factory: Arc<dyn SinkFactory>) {
        self.connectors.register_sink(factory);
    }

    pub fn register_mapper(&mut self, factory: Arc<dyn MapperFactory>) {
        self.connectors.register_mapper(factory);
    }

    pub fn connectors(&self) -> &ConnectorRegistry {
        &self.connectors
    }

    pub fn functions(&self) -> &FunctionRegistry {
        &self.functions
    }

    /// Compiles an app; nothing starts until [`App::start`]. Errors name `app.sql` as the file.
    pub fn compile(&self, sql: &str) -> Result<App, CompileErrors> {
        self.compile_with("app.sql", sql, RunOptions::default())
    }

    /// Compiles with a file name for error messages and explicit run options.
    pub fn compile_with(
        &self,
        file: &str,
        sql: &str,
        options: RunOptions,
    ) -> Result<App, CompileErrors> {
        let plan = on_compile_stack(|| self.plan(file, sql))?;
        Ok(App::new(
            plan,
            self.connectors.clone(),
            self.functions.clone(),
            options,
        ))
    }

    /// Parses and binds an app into its plan.
    fn plan(&self, file: &str, sql: &str) -> Result<crate::plan::graph::AppPlan, CompileErrors> {
        let env = |name: &str| std::env::var(name).ok();
        let (ast, mut errors) = crate::sql::parse_app(sql, &env);
        let binder = Binder {
            connectors: &self.connectors,
            functions: &self.functions,
            tables: Default::default(),
            query_names: Default::default(),
        };
        match binder.bind(&ast) {
            Ok(plan) if errors.is_empty() => Ok(plan),
            Ok(_) => Err(CompileErrors {
                file: file.into(),
                source: sql.into(),
                errors,
            }),
            Err(mut more) => {
                errors.append(&mut more);
                errors.sort_by_key(|d| d.pos);
                errors.dedup();
                Err(CompileErrors {
                    file: file.into(),
                    source: sql.into(),
                    errors,
                })
            }
        }
    }
}

/// The stack the parser and binder run on. Both recurse once per level of an expression, and
/// a debug build spends ~18 KB a level, so the 2 MB of a test or tokio thread would overflow
/// well before the parser's depth bound; this is address space, touched only as deep as used.
const COMPILE_STACK: usize = 256 << 20;

/// Runs `f` on a thread with [`COMPILE_STACK`], or on this thread if one cannot be made.
fn on_compile_stack<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    let mut f = Some(f);
    let spawned = std::thread::scope(|scope| {
        let job = &mut f;
        std::thread::Builder::new()
            .name("eventflux-compile".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, move || job.take().map(|f| f()))
            .ok()
            .map(|h| h.join())
    });
    match spawned {
        Some(Ok(Some(out))) => out,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // No thread (address space or thread limit): compile here.
        _ => (f.take().expect("the job runs once"))(),
    }
}
