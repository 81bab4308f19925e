//! The apps a server hosts, by name, and the one way they change: deploy (compile, start,
//! list), stop (flush, keep listed) and delete (stop, unlist). Changes are serialized, so a
//! deploy racing a delete never leaves an app half in: it is listed only once it started, and
//! unlisted before it stops.

use super::rates::Rates;
use super::tail::Tails;
use crate::runtime::app::{App, AppStats, RunOptions};
use crate::sql::diagnostic::CompileErrors;
use crate::Engine;
use parking_lot::{Mutex, RwLock};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

/// One hosted app.
pub struct Deployed {
    pub name: String,
    pub app: Arc<App>,
    /// The SQL it was deployed from (`None` for an app handed over already compiled).
    pub sql: Option<String>,
    pub deployed_at: SystemTime,
    /// The summary of its stop, once stopped through the API.
    pub stopped: Mutex<Option<AppStats>>,
    pub rates: Rates,
    pub tails: Tails,
}

impl Deployed {
    fn new(name: String, app: Arc<App>, sql: Option<String>) -> Arc<Deployed> {
        Arc::new(Deployed {
            name,
            app,
            sql,
            deployed_at: SystemTime::now(),
            stopped: Mutex::new(None),
            rates: Rates::default(),
            tails: Tails::default(),
        })
    }

    /// Stops the app (sources, then windows settled as the app's options say, sinks flushed);
    /// a second stop returns the first one's summary.
    pub fn stop(&self) -> AppStats {
        let mut stopped = self.stopped.lock();
        if let Some(s) = &*stopped {
            return s.clone();
        }
        let stats = self.app.shutdown().unwrap_or_default();
        *stopped = Some(stats.clone());
        stats
    }
}

/// Why a deploy failed.
#[derive(Debug)]
pub enum DeployError {
    Compile(CompileErrors),
    /// Another app has the name.
    Conflict(String),
    /// It compiled but did not start (a connector could not be created, ...).
    Start(String),
}

#[derive(Default)]
pub struct Deployments {
    apps: RwLock<BTreeMap<String, Arc<Deployed>>>,
    /// Held across a whole deploy or delete: changes happen one at a time.
    changing: Mutex<()>,
    /// How apps deployed from here run (the server's `--shutdown-timeout`, ...).
    options: Mutex<RunOptions>,
}

/// `@app:name` in the text, or the given fallback.
fn chosen_name(sql: &str, app: &App, fallback: Option<&str>) -> String {
    let named = sql.to_ascii_lowercase().contains("@app:name");
    match fallback {
        Some(f) if !named => f.to_string(),
        _ => app.name().to_string(),
    }
}

impl Deployments {
    pub fn list(&self) -> Vec<Arc<Deployed>> {
        self.apps.read().values().cloned().collect()
    }

    pub fn get(&self, name: &str) -> Option<Arc<Deployed>> {
        self.apps.read().get(name).cloned()
    }

    /// Sets how apps deployed from now on run.
    pub fn set_run_options(&self, options: RunOptions) {
        *self.options.lock() = options;
    }

    /// Events the hosted apps' sinks still hold (what a stop at once would lose).
    pub fn buffered_in_sinks(&self) -> usize {
        self.list().iter().map(|d| d.app.buffered_in_sinks()).sum()
    }

    pub fn names(&self) -> Vec<String> {
        self.apps.read().keys().cloned().collect()
    }

    /// Lists an app that is already compiled and started (the one `eventflux run` runs).
    pub fn adopt(&self, app: Arc<App>) -> Result<Arc<Deployed>, DeployError> {
        let _one_at_a_time = self.changing.lock();
        let name = app.name().to_string();
        let mut apps = self.apps.write();
        if apps.contains_key(&name) {
            return Err(DeployError::Conflict(name));
        }
        let d = Deployed::new(name.clone(), app, None);
        apps.insert(name, d.clone());
        Ok(d)
    }

    /// Compiles and starts `sql`, then lists it. Its name is its `@app:name`, else `name`, else
    /// `app`. Blocks while the app's connectors start: call it off the async threads.
    pub fn deploy(
        &self,
        engine: &Engine,
        file: &str,
        sql: &str,
        name: Option<&str>,
    ) -> Result<Arc<Deployed>, DeployError> {
        let _one_at_a_time = self.changing.lock();
        let app = engine
            .compile_with(file, sql, *self.options.lock())
            .map_err(DeployError::Compile)?;
        let name = chosen_name(sql, &app, name);
        if self.apps.read().contains_key(&name) {
            return Err(DeployError::Conflict(name));
        }
        app.start().map_err(|e| DeployError::Start(e.to_string()))?;
        let d = Deployed::new(name.clone(), Arc::new(app), Some(sql.to_string()));
        self.apps.write().insert(name.clone(), d.clone());
        log::info!("deployed app '{name}'");
        Ok(d)
    }

    /// Unlists the app, then stops it and returns its summary; `None` if there is no such app.
    pub fn delete(&self, name: &str) -> Option<AppStats> {
        let _one_at_a_time = self.changing.lock();
        let d = self.apps.write().remove(name)?;
        let stats = d.stop();
        log::info!("deleted app '{name}'");
        Some(stats)
    }

    /// Stops every app (server shutdown) at the same time, so the whole stop takes one
    /// shutdown deadline, not one per app; the summaries come in name order.
    pub fn stop_all(&self) -> Vec<(String, AppStats)> {
        let _one_at_a_time = self.changing.lock();
        let apps = self.list();
        std::thread::scope(|scope| {
            let stopping: Vec<_> = apps
                .iter()
                .map(|d| (d.name.clone(), scope.spawn(|| d.stop())))
                .collect();
            stopping
                .into_iter()
                .map(|(name, stop)| (name, stop.join().unwrap_or_default()))
                .collect()
        })
    }
}
