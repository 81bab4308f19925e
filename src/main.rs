//! The `eventflux` command-line tool.

mod cli;

use clap::{Parser, Subcommand};
use eventflux::{Engine, RunOptions};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "eventflux",
    version,
    about = "EventFlux: streaming SQL on live streams, from a single binary"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run an app until Ctrl-C/SIGTERM (or until every source's input has ended); sinks are
    /// flushed before exit. Exit status 1 when a sink could not flush or a connector with
    /// error.strategy='fail' failed.
    Run {
        /// The app (.sql).
        app: PathBuf,
        /// Stop without settling windows when the input ends (see `replay --no-final-flush`);
        /// what they hold is counted in the summary instead.
        #[arg(long)]
        no_final_flush: bool,
        /// Print a line of rates per stream this often (10s, 500ms, 1m), and once at the end.
        #[arg(long, value_parser = cli::status::parse_period)]
        status: Option<Duration>,
        /// Serve the control plane here (dashboard at /, REST API under /api/v1, /metrics,
        /// /healthz, /readyz), e.g. 127.0.0.1:9090.
        #[arg(long)]
        http: Option<String>,
        /// Require this bearer token (the file's first line) on every control-plane route
        /// but /healthz. Default: $EVENTFLUX_TOKEN when set.
        #[arg(long, requires = "http")]
        token_file: Option<PathBuf>,
        /// How long stopping may take (30s, 500ms, 2m): past it, what sinks still hold goes to
        /// their error strategy (dlq/log, counted) and the process exits. A second Ctrl-C or
        /// SIGTERM stops at once, after saying what is lost.
        #[arg(long, value_parser = cli::status::parse_period, default_value = "30s")]
        shutdown_timeout: Duration,
    },
    /// Host several apps behind one control plane: every .sql in --apps at start, more
    /// deployed with POST /api/v1/apps. Runs until Ctrl-C/SIGTERM, then stops every app,
    /// flushing its sinks.
    Serve {
        /// Where the control plane listens (loopback by default).
        #[arg(long, default_value = "127.0.0.1:9090")]
        http: String,
        /// Deploy every .sql file here at start (named by @app:name, else the file name); one
        /// that does not compile or start stops the server from starting.
        #[arg(long)]
        apps: Option<PathBuf>,
        /// Require this bearer token (the file's first line) on every route but /healthz.
        /// Default: $EVENTFLUX_TOKEN when set.
        #[arg(long)]
        token_file: Option<PathBuf>,
        /// How long stopping may take (30s, 500ms, 2m), for all apps together (they stop at
        /// the same time): past it, what sinks still hold goes to their error strategy. A
        /// second Ctrl-C or SIGTERM stops at once, after saying what is lost.
        #[arg(long, value_parser = cli::status::parse_period, default_value = "30s")]
        shutdown_timeout: Duration,
    },
    /// Compile and validate an app without running it; print its dataflow graph.
    Check {
        /// The app (.sql).
        app: PathBuf,
        /// Print the graph in Graphviz dot instead of text.
        #[arg(long)]
        dot: bool,
    },
    /// Run an app offline on the playback clock over recorded events, ignoring its
    /// @source/@sink bindings, and print every emitted event as a JSON line.
    ///
    /// Input: one JSON object a line: {"stream":"Trades","ts":1000,"data":{"symbol":"IBM"}}.
    /// `ts` (ms) is optional (default: the previous line's, first 0); `data` is an object by
    /// attribute name (missing = null) or an array in declared order. Bad lines are reported
    /// with their line number and skipped (exit status 2).
    Replay {
        /// The app (.sql).
        app: PathBuf,
        /// Events to replay (JSON lines).
        #[arg(long)]
        input: PathBuf,
        /// Advance the clock to this time (ms) after the last event, firing due timers. Not
        /// needed to settle windows: at the end of the input time moves on until every pending
        /// window, WITHIN deadline and absent pattern has fired once.
        #[arg(long)]
        until: Option<i64>,
        /// Print only these streams (repeatable); default: every stream a query inserts into.
        #[arg(long = "stream")]
        streams: Vec<String>,
        /// Stop at the last event (or --until) without settling what windows still hold.
        #[arg(long)]
        no_final_flush: bool,
    },
    /// Replay like `replay` and compare the output with an expectation (JSON lines, same form;
    /// `ts` compared only where given, numbers to a relative 1e-9). Exit 0 on a match, 1 with a
    /// diff otherwise.
    Test {
        /// The app (.sql).
        app: PathBuf,
        /// Events to replay (JSON lines, as for `replay`).
        #[arg(long)]
        input: PathBuf,
        /// The expected output (JSON lines, as `replay` prints them).
        #[arg(long)]
        expect: PathBuf,
        /// Advance the clock to this time (ms) after the last event.
        #[arg(long)]
        until: Option<i64>,
        /// Compare only these streams (repeatable); default: every stream a query inserts into.
        #[arg(long = "stream")]
        streams: Vec<String>,
        /// Stop at the last event (or --until) without settling what windows still hold.
        #[arg(long)]
        no_final_flush: bool,
    },
    /// Print the records of a binary log (.bin or .bin.lz4) written by the binary sink. A file
    /// cut short by a crash is printed up to its last complete record, with a warning that
    /// says where it stopped.
    Read {
        /// A .bin or .bin.lz4 file written by the binary sink.
        file: PathBuf,
        /// Only records with ts >= FROM (ms); uncompressed files skip the others unread.
        #[arg(long)]
        from: Option<i64>,
        /// Only records with ts < TO (ms).
        #[arg(long)]
        to: Option<i64>,
        /// One JSON object a line: {"ts":..,"address":..,"data":{..}}.
        #[arg(long)]
        json: bool,
    },
    /// List connectors and mappers, or describe one with all its parameters.
    Connectors {
        /// A connector or mapper to describe (as in `@source(type='NAME')`).
        name: Option<String>,
    },
    /// Write the docs site's generated reference pages (connectors, mappers, functions,
    /// windows) from the registries.
    Docs {
        /// Output directory, normally website/src/generated.
        #[arg(long)]
        out: PathBuf,
    },
    /// Measure an app's throughput: synthetic events into its input streams through the batch
    /// API on one thread, outputs counted and discarded. `--suite` runs the standard queries.
    Bench {
        /// The app to measure (omit with --suite).
        app: Option<PathBuf>,
        /// Events to send in all.
        #[arg(long, default_value_t = 10_000_000)]
        events: u64,
        /// Events per batch.
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        /// Distinct values of STRING attributes.
        #[arg(long, default_value_t = 100)]
        keys: usize,
        /// Apps on the playback clock: events per second of event time (time advances with
        /// the events sent).
        #[arg(long, default_value_t = 100_000)]
        events_per_sec: u64,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Run the standard benchmark queries.
        #[arg(long)]
        suite: bool,
    },
    /// Print a shell completion script: `eventflux completions bash > /etc/bash_completion.d/eventflux`
    /// (also zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `eventflux man > eventflux.1 && man ./eventflux.1`, or
    /// write one page per command with `--out DIR` (eventflux.1, eventflux-run.1, ...).
    Man {
        /// Write every page into this folder instead of printing the main one.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Compiles `app` for an offline run and replays `input` through it.
fn replay_files(
    engine: &Engine,
    app: &Path,
    input: &Path,
    until: Option<i64>,
    streams: &[String],
    final_flush: bool,
) -> Result<cli::replay::ReplayResult, String> {
    let compiled =
        cli::replay::compile_offline(engine, &app.display().to_string(), &read(app)?, final_flush)?;
    cli::replay::replay(
        &compiled,
        &input.display().to_string(),
        &read_bytes(input)?,
        until,
        streams,
    )
}

/// The control plane's token: the file's first line, else $EVENTFLUX_TOKEN, else none.
fn token(file: Option<&Path>) -> Result<Option<String>, String> {
    let t = match file {
        Some(f) => {
            let text = read(f)?;
            let line = text.lines().next().unwrap_or("").trim().to_string();
            if line.is_empty() {
                return Err(format!(
                    "{}: error: the token file is empty (put the token on its first line)",
                    f.display()
                ));
            }
            Some(line)
        }
        None => std::env::var("EVENTFLUX_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
    };
    Ok(t.map(|t| t.trim().to_string()))
}

/// Set by the first Ctrl-C or SIGTERM. A second one, while stopping, exits at once (status
/// 130) after printing what `lost` says is given up.
fn stop_flag(lost: impl Fn() -> String + Send + 'static) -> Result<Arc<AtomicBool>, String> {
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    ctrlc::set_handler(move || {
        if s.swap(true, Ordering::SeqCst) {
            eprintln!("second signal: stopping at once; {}", lost());
            std::process::exit(130);
        }
    })
    .map_err(|e| format!("cannot install the Ctrl-C handler: {e}"))?;
    Ok(stop)
}

fn serve(
    engine: Engine,
    http: &str,
    dir: Option<&Path>,
    token: Option<String>,
    options: RunOptions,
) -> Result<ExitCode, String> {
    let server = eventflux::server::Server::new(engine)
        .with_token(token)
        .with_run_options(options);
    if let Some(dir) = dir {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("--apps {}: cannot read: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for f in &files {
            let sql = read(f)?;
            let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or("app");
            server.deploy(&f.display().to_string(), &sql, Some(stem))?;
        }
        log::info!("deployed {} app(s) from {}", files.len(), dir.display());
    }
    let handle = server.serve(http)?;
    let deployments = handle.deployments().clone();
    let stop = stop_flag(move || {
        format!(
            "{} event(s) still buffered in the apps' sinks are lost",
            deployments.buffered_in_sinks()
        )
    })?;
    log::info!(
        "serving on http://{}; Ctrl-C stops every app",
        handle.address()
    );
    while !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(50));
    }
    log::info!("stopping: every app's sinks are flushed");
    let mut failed = false;
    for (name, stats) in handle.stop_apps() {
        for line in stats.to_string().lines() {
            log::info!("{name}: {line}");
        }
        failed |= stats.failed();
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A file's bytes, for inputs whose lines are checked one by one (a bad byte costs its line).
fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: error: cannot read: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|e| {
        // Name the place, as for any other error in the file.
        let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let col = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        format!(
            "{}:{line}:{col}: error: not valid UTF-8 (save the file as UTF-8)",
            path.display()
        )
    })
}

fn main() -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(|buf, record| {
            use std::io::Write;
            // Every line is scrubbed: URL credentials, secret query values, secret parameters.
            let text = record.args().to_string();
            let style = buf.default_level_style(record.level());
            writeln!(
                buf,
                "[{} {style}{}{style:#}] {}",
                buf.timestamp(),
                record.level(),
                eventflux::redact::scrub(&text)
            )
        })
        .init();
    let cli = Cli::parse();
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(command: Command) -> Result<ExitCode, String> {
    let engine = Engine::new();
    match command {
        Command::Run {
            app,
            no_final_flush,
            status,
            http,
            token_file,
            shutdown_timeout,
        } => {
            let control = match http {
                Some(address) => Some((address, token(token_file.as_deref())?)),
                None => None,
            };
            let options = RunOptions {
                final_flush: !no_final_flush,
                shutdown_timeout,
                ..RunOptions::default()
            };
            run(&engine, &app, options, status, control)
        }
        Command::Serve {
            http,
            apps,
            token_file,
            shutdown_timeout,
        } => serve(
            engine,
            &http,
            apps.as_deref(),
            token(token_file.as_deref())?,
            RunOptions {
                shutdown_timeout,
                ..RunOptions::default()
            },
        ),
        Command::Check { app, dot } => {
            let sql = read(&app)?;
            let compiled = engine
                .compile_with(&app.display().to_string(), &sql, RunOptions::default())
                .map_err(|e| e.to_string())?;
            if dot {
                cli::out::print(&compiled.plan().to_dot())?;
            } else {
                cli::out::print(&format!("{}ok\n", compiled.plan().describe()))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay {
            app,
            input,
            until,
            streams,
            no_final_flush,
        } => {
            let result = replay_files(&engine, &app, &input, until, &streams, !no_final_flush)?;
            let mut out = String::new();
            for l in &result.output {
                out.push_str(&l.to_string());
                out.push('\n');
            }
            cli::out::print(&out)?;
            Ok(if result.bad_lines > 0 {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Test {
            app,
            input,
            expect,
            until,
            streams,
            no_final_flush,
        } => {
            let result = replay_files(&engine, &app, &input, until, &streams, !no_final_flush)?;
            let mut expected = Vec::new();
            for (i, line) in read(&expect)?.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                expected.push(serde_json::from_str(line).map_err(|e| {
                    format!("{}:{}: error: not valid JSON: {e}", expect.display(), i + 1)
                })?);
            }
            match cli::replay::compare(&expected, &result.output) {
                None if result.bad_lines == 0 => {
                    let n = result.output.len();
                    cli::out::println(&format!(
                        "ok: {} ({n} {} matched)",
                        app.display(),
                        if n == 1 { "event" } else { "events" }
                    ))?;
                    Ok(ExitCode::SUCCESS)
                }
                None => {
                    cli::out::println(&format!(
                        "output matched, but {} input lines were bad",
                        result.bad_lines
                    ))?;
                    Ok(ExitCode::from(2))
                }
                Some(diff) => {
                    cli::out::println(&format!("FAILED: {}\n{diff}", app.display()))?;
                    Ok(ExitCode::from(1))
                }
            }
        }
        Command::Read {
            file,
            from,
            to,
            json,
        } => {
            cli::read::run(&file, from, to, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Docs { out } => {
            let n = cli::docs::write(&engine, &out)?;
            cli::out::println(&format!("wrote {n} pages to {}", out.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Connectors { name: None } => {
            cli::out::print(&cli::connectors::list(&engine))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Connectors { name: Some(n) } => {
            cli::out::print(&cli::connectors::describe(&engine, &n)?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "eventflux", &mut script);
            cli::out::print(&String::from_utf8_lossy(&script))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out: None } => {
            let page = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            let mut roff = Vec::new();
            page.render(&mut roff)
                .map_err(|e| format!("error: cannot write the man page: {e}"))?;
            cli::out::print(&String::from_utf8_lossy(&roff))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Man { out: Some(dir) } => {
            std::fs::create_dir_all(&dir)
                .map_err(|e| format!("{}: error: cannot create: {e}", dir.display()))?;
            clap_mangen::generate_to(<Cli as clap::CommandFactory>::command(), &dir)
                .map_err(|e| format!("{}: error: cannot write the pages: {e}", dir.display()))?;
            cli::out::println(&format!("wrote the manual pages to {}", dir.display()))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            app,
            events,
            batch,
            keys,
            events_per_sec,
            json,
            suite,
        } => {
            let cfg = cli::bench::BenchConfig {
                events,
                batch: batch.max(1),
                keys,
                events_per_sec,
            };
            let jobs: Vec<(String, String, String)> = match (suite, app) {
                (true, _) => cli::bench::SUITE
                    .iter()
                    .map(|(n, q)| (n.to_string(), format!("{n}.sql"), q.to_string()))
                    .collect(),
                (false, Some(p)) => {
                    vec![(p.display().to_string(), p.display().to_string(), read(&p)?)]
                }
                (false, None) => {
                    return Err("bench needs an app (eventflux bench APP.sql) or --suite".into())
                }
            };
            if !json {
                cli::out::println(&cli::bench::header())?;
            }
            for (name, file, sql) in jobs {
                let r = cli::bench::run(&engine, &file, &sql, &cfg)?;
                cli::out::println(&cli::bench::render(&name, &r, json))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run(
    engine: &Engine,
    path: &Path,
    options: RunOptions,
    status: Option<Duration>,
    control: Option<(String, Option<String>)>,
) -> Result<ExitCode, String> {
    let sql = read(path)?;
    let app = Arc::new(
        engine
            .compile_with(&path.display().to_string(), &sql, options)
            .map_err(|e| e.to_string())?,
    );
    for line in app.plan().describe().lines() {
        log::info!("{line}");
    }
    let watched = app.clone();
    let stop = stop_flag(move || {
        let held = watched.buffered_in_sinks();
        format!("{held} event(s) still buffered in sinks are lost")
    })?;
    app.start().map_err(|e| e.to_string())?;
    let control_plane = match control {
        Some((address, token)) => Some(
            eventflux::server::Server::new(engine.clone())
                .with_token(token)
                .with_app(app.clone())?
                .serve(&address)?,
        ),
        None => None,
    };
    log::info!("app '{}' running; Ctrl-C stops it", app.name());
    let mut reporter = status.map(|every| cli::status::Reporter::new(every, app.stats()));
    loop {
        if let Some(r) = reporter.as_mut() {
            if let Some(line) = r.tick(|| app.stats()) {
                log::info!("{line}");
            }
        }
        if stop.load(Ordering::SeqCst) {
            log::info!("stopping: flushing sinks");
            break;
        }
        if app.sources_finished() {
            log::info!("every source reached the end of its input; stopping");
            break;
        }
        if app.failure().is_some() {
            break;
        }
        if app.state() == eventflux::runtime::app::AppState::Stopped {
            log::info!("the app was stopped through the control plane");
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // Stopped once, wherever it was stopped: the control plane keeps that summary.
    let hosted = control_plane
        .as_ref()
        .and_then(|c| c.deployments().get(app.name()));
    let stats = match hosted {
        Some(d) => d.stop(),
        None => app.shutdown().map_err(|e| e.to_string())?,
    };
    if let Some(r) = reporter.as_mut() {
        log::info!("{}", r.last(&stats));
    }
    for line in stats.to_string().lines() {
        log::info!("{line}");
    }
    // Apps deployed next to it through the API stop with it.
    if let Some(c) = &control_plane {
        for (name, other) in c.stop_apps() {
            if name != app.name() {
                log::info!("stopped app '{name}' (deployed through the API): {other}");
            }
        }
    }
    Ok(if stats.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
