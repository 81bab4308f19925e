//! The README cannot drift from the program: every SQL block in it compiles and runs to its end,
//! the first one is the quickstart app, and its command and connector tables are checked
//! against `eventflux --help` and `eventflux connectors`.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventflux"))
}

fn readme() -> String {
    std::fs::read_to_string("README.md").expect("README.md at the crate root")
}

/// Every ```sql block (also indented ones, in list items), with its first line number.
fn sql_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        match &mut current {
            None if line.trim() == "```sql" => current = Some((i + 1, indent, String::new())),
            Some(_) if line.trim() == "```" => {
                let (line_no, _, body) = current.take().unwrap();
                blocks.push((line_no, body));
            }
            Some((_, indent, body)) => {
                body.push_str(line.get(*indent..).unwrap_or(line.trim_start()));
                body.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// Runs a command to its end, killing it (and failing) past the deadline.
fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn every_sql_block_compiles_and_runs_to_its_end() {
    let blocks = sql_blocks(&readme());
    assert!(
        blocks.len() >= 2,
        "expected the README's sql blocks, found {}",
        blocks.len()
    );
    for (n, (line, sql)) in blocks.iter().enumerate() {
        let dir = common::temp_dir(&format!("readme-{n}"));
        let app = dir.join("app.sql");
        std::fs::write(&app, sql).unwrap();
        let checked = bin().arg("check").arg(&app).output().unwrap();
        assert!(
            checked.status.success(),
            "README.md:{line}: this sql block does not compile:\n{}",
            text(&checked.stderr)
        );
        // Every block's inputs are bounded, so `run` ends by itself.
        let ran = run_bounded(
            bin().arg("run").arg(&app).current_dir(&dir),
            Duration::from_secs(60),
        );
        assert!(
            ran.status.success(),
            "README.md:{line}: this sql block fails to run:\n{}",
            text(&ran.stderr)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn the_first_sql_block_is_the_quickstart_and_prints_trades() {
    let (line, block) = sql_blocks(&readme()).remove(0);
    let app = std::fs::read_to_string("queries/quickstart.sql").unwrap();
    let app_body: String = app
        .lines()
        .filter(|l| !l.starts_with("-- "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_eq!(
        block.trim(),
        app_body.trim(),
        "README.md:{line}: the first sql block must be queries/quickstart.sql (without its comments)"
    );
    let ran = run_bounded(
        bin().args(["run", "queries/quickstart.sql"]),
        Duration::from_secs(60),
    );
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    let out = text(&ran.stdout);
    let printed = out.lines().filter(|l| l.contains("LargeTrades")).count();
    // 40 trades with volumes uniform in 1..=1000: all 40 at or below 500 has odds of 2^-40.
    assert!(
        printed > 0,
        "the quickstart printed no large trades:\n{out}"
    );
    assert!(
        out.lines()
            .all(|l| !l.contains("LargeTrades") || l.contains("volume")),
        "{out}"
    );
}

/// The `eventflux ...` cell of each row of the command table.
fn command_rows(readme: &str) -> Vec<String> {
    let start = readme
        .find("| command | what it does |")
        .expect("the README's command table");
    readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            l.trim_start_matches("| ")
                .split(" | ")
                .next()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

/// Subcommand names and their `--long` options, as `--help` prints them.
fn cli_commands() -> Vec<(String, BTreeSet<String>)> {
    let help = text(&bin().arg("--help").output().unwrap().stdout);
    let names: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|n| n != "help")
        .collect();
    assert!(names.len() >= 8, "{help}");
    names
        .into_iter()
        .map(|name| {
            let help = text(&bin().args([&name, "--help"]).output().unwrap().stdout);
            (name, long_options(&help))
        })
        .collect()
}

fn long_options(text: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r"--[a-z][a-z0-9-]*").unwrap();
    re.find_iter(text)
        .map(|m| m.as_str().to_string())
        .filter(|o| o != "--help" && o != "--version")
        .collect()
}

#[test]
fn the_command_table_lists_every_command_and_option() {
    let rows = command_rows(&readme());
    for (name, options) in cli_commands() {
        let prefix = format!("`eventflux {name}");
        let row = rows
            .iter()
            .find(|r| r.starts_with(&prefix))
            .unwrap_or_else(|| {
                panic!("the README's command table has no row for `eventflux {name}`")
            });
        let documented = long_options(row);
        assert_eq!(
            documented, options,
            "README command table, `eventflux {name}`: the options differ from `eventflux {name} --help`"
        );
    }
}

/// (name, side, alias) from `eventflux connectors`.
fn cli_connectors() -> BTreeSet<(String, String, Option<String>)> {
    let out = text(&bin().arg("connectors").output().unwrap().stdout);
    let alias = regex::Regex::new(r"\(alias ([a-z0-9-]+)\)$").unwrap();
    let mut side = "";
    let mut found = BTreeSet::new();
    for line in out.lines() {
        match line {
            "sources:" => side = "source",
            "sinks:" => side = "sink",
            "mappers:" => side = "mapper",
            l if l.starts_with("  ") && (side == "source" || side == "sink") => {
                let name = l.split_whitespace().next().unwrap().to_string();
                let a = alias.captures(l.trim_end()).map(|c| c[1].to_string());
                found.insert((name, side.to_string(), a));
            }
            _ => {}
        }
    }
    found
}

/// (name, side, alias) from the README's connector table: "| `name` (`alias`) | side, side | ... |".
fn readme_connectors(readme: &str) -> BTreeSet<(String, String, Option<String>)> {
    let start = readme
        .find("| name | side | what |")
        .expect("the README's connector table");
    let cell =
        regex::Regex::new(r"^\| `([a-z0-9-]+)`(?: \(`([a-z0-9-]+)`\))? \| ([a-z, ]+) \|").unwrap();
    let mut found = BTreeSet::new();
    for line in readme[start..]
        .lines()
        .skip(2)
        .take_while(|l| l.starts_with('|'))
    {
        let c = cell.captures(line).unwrap_or_else(|| {
            panic!(
                "README connector row not in the form | `name` (`alias`) | side | what |: {line}"
            )
        });
        for side in c[3].split(',') {
            found.insert((
                c[1].to_string(),
                side.trim().to_string(),
                c.get(2).map(|a| a.as_str().to_string()),
            ));
        }
    }
    found
}

#[test]
fn the_connector_table_matches_the_registry() {
    let cli = cli_connectors();
    let documented = readme_connectors(&readme());
    assert!(cli.len() >= 15, "{cli:?}");
    let missing: Vec<_> = cli.difference(&documented).collect();
    let stale: Vec<_> = documented.difference(&cli).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "README connector table vs `eventflux connectors` (name, side, alias):\n  not in the README: {missing:?}\n  not in the registry: {stale:?}"
    );
}

#[test]
fn completions_and_man_pages_cover_every_command() {
    let commands: Vec<String> = cli_commands().into_iter().map(|(n, _)| n).collect();
    let bash = bin().args(["completions", "bash"]).output().unwrap();
    assert!(bash.status.success());
    let script = text(&bash.stdout);
    for c in &commands {
        assert!(script.contains(c.as_str()), "bash completions lack {c}");
    }
    // bash itself accepts the script.
    let dir = common::temp_dir("readme-man");
    let file = dir.join("eventflux.bash");
    std::fs::write(&file, &script).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(syntax.status.success(), "{}", text(&syntax.stderr));
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("possible values"),
        "{}",
        text(&bad.stderr)
    );

    let page = text(&bin().arg("man").output().unwrap().stdout);
    assert!(page.contains(".TH eventflux 1"), "{page}");
    for c in &commands {
        assert!(page.contains(c.as_str()), "the man page lacks {c}");
    }
    let out = bin().arg("man").arg("--out").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    for c in &commands {
        let sub = dir.join(format!("eventflux-{c}.1"));
        assert!(Path::new(&sub).exists(), "no page {}", sub.display());
    }
    let run_page = std::fs::read_to_string(dir.join("eventflux-run.1")).unwrap();
    assert!(run_page.contains("final\\-flush"), "{run_page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_dockerfile_builds_what_exists() {
    // No Docker daemon runs here; this checks what the image build depends on.
    let docker = std::fs::read_to_string("Dockerfile").unwrap();
    let cargo = std::fs::read_to_string("Cargo.toml").unwrap();
    let profile = regex::Regex::new(r"--profile (\w+)").unwrap();
    let p = &profile
        .captures(&docker)
        .expect("the Dockerfile builds a profile")[1];
    assert!(
        cargo.contains(&format!("[profile.{p}]")),
        "no profile {p} in Cargo.toml"
    );
    assert!(docker.contains(&format!("target/{p}/eventflux")));
    let cmd = regex::Regex::new(r#"CMD \["run", "([^"]+)"\]"#).unwrap();
    let app = &cmd
        .captures(&docker)
        .expect("the Dockerfile runs an app by default")[1];
    assert!(
        app.starts_with("queries/") && Path::new(app).exists(),
        "{app}"
    );
    let copied: Vec<&str> = docker
        .lines()
        .filter_map(|l| l.strip_prefix("COPY "))
        .filter(|l| !l.starts_with("--from"))
        .flat_map(|l| {
            let parts: Vec<&str> = l.split_whitespace().collect();
            parts[..parts.len() - 1].to_vec()
        })
        .collect();
    for needed in ["Cargo.toml", "Cargo.lock", "src", "queries"] {
        assert!(
            copied.contains(&needed),
            "the Dockerfile does not copy {needed}"
        );
    }
    for path in copied {
        assert!(
            Path::new(path).exists(),
            "the Dockerfile copies {path}, which does not exist"
        );
    }
}
