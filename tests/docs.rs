//! The docs site: generated pages match the code, every SQL example compiles, internal links
//! resolve, and the built site renders in a real browser (mdBook + headless Chromium).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventflux"))
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eventflux-docs-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            markdown_files(&p, out);
        } else if p.extension().and_then(|x| x.to_str()) == Some("md") {
            out.push(p);
        }
    }
    out.sort();
}

fn all_markdown() -> Vec<PathBuf> {
    let mut files = Vec::new();
    markdown_files(Path::new("website/src"), &mut files);
    assert!(
        files.len() > 10,
        "expected the site's pages under website/src"
    );
    files
}

/// A peer program this test needs: under CI=true its absence fails the test; locally it skips.
fn require(program: &str, install: &str) -> bool {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{program} is not installed; the test command installs it ({install})");
        }
        eprintln!("SKIPPED: {program} is not installed ({install})");
    }
    found
}

#[test]
fn generated_pages_are_up_to_date() {
    let dir = temp_dir("generated");
    let o = bin().arg("docs").arg("--out").arg(&dir).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut fresh = Vec::new();
    markdown_files(&dir, &mut fresh);
    let mut committed = Vec::new();
    markdown_files(Path::new("website/src/generated"), &mut committed);
    let rel = |base: &Path, v: &[PathBuf]| -> Vec<PathBuf> {
        v.iter()
            .map(|p| p.strip_prefix(base).unwrap().to_path_buf())
            .collect()
    };
    let fix = "regenerate with: cargo run -- docs --out website/src/generated";
    assert_eq!(
        rel(&dir, &fresh),
        rel(Path::new("website/src/generated"), &committed),
        "generated pages differ in name; {fix}"
    );
    for f in &fresh {
        let name = f.strip_prefix(&dir).unwrap();
        let want = std::fs::read_to_string(f).unwrap();
        let have = std::fs::read_to_string(Path::new("website/src/generated").join(name)).unwrap();
        assert!(
            want == have,
            "website/src/generated/{} is out of date; {fix}",
            name.display()
        );
    }
}

/// The text of every ```sql block, with mdBook includes resolved.
fn sql_blocks(file: &Path) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim() == "```sql" => current = Some((i + 1, String::new())),
            Some(_) if line.trim() == "```" => blocks.push(current.take().unwrap()),
            Some((_, body)) => {
                if let Some(inc) = line
                    .trim()
                    .strip_prefix("{{#include ")
                    .and_then(|r| r.strip_suffix("}}"))
                {
                    let path = file.parent().unwrap().join(inc.trim());
                    body.push_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| {
                        panic!("{}: include {}: {e}", file.display(), path.display())
                    }));
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_sql_example_in_the_docs_compiles() {
    let dir = temp_dir("sql");
    let mut checked = 0;
    for file in all_markdown() {
        for (line, sql) in sql_blocks(&file) {
            let app = dir.join(format!("block{checked}.sql"));
            std::fs::write(&app, &sql).unwrap();
            let o = bin()
                .arg("check")
                .arg(&app)
                .env("RUST_LOG", "error")
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "{}:{line}: this sql example does not compile:\n{}",
                file.display(),
                String::from_utf8_lossy(&o.stderr)
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "expected the docs' sql examples, found {checked}"
    );
}

#[test]
fn internal_links_resolve() {
    let mut broken = Vec::new();
    for file in all_markdown() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            let target = &rest[..end];
            if target.starts_with("http")
                || target.starts_with('#')
                || target.starts_with("mailto:")
            {
                continue;
            }
            let path = target.split('#').next().unwrap();
            if !file.parent().unwrap().join(path).exists() {
                broken.push(format!("{}: {target}", file.display()));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

/// Runs a command with a deadline, killing it on overrun.
fn run_bounded(cmd: &mut Command, limit: Duration) -> std::process::Output {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn chromium(profile: &Path) -> Command {
    let mut c = Command::new("chromium");
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

#[test]
fn site_builds_and_renders_in_a_browser() {
    if !require("mdbook", "cargo install mdbook --locked") {
        return;
    }
    let out = temp_dir("book");
    let o = run_bounded(
        Command::new("mdbook")
            .arg("build")
            .arg("website")
            .arg("-d")
            .arg(&out),
        Duration::from_secs(120),
    );
    assert!(
        o.status.success(),
        "mdbook build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // mdBook's built-in search: its index ships with the site (file names carry a hash).
    let has_index = std::fs::read_dir(&out).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("searchindex")
    });
    assert!(has_index, "search index missing");
    if !require("chromium", "apt-get install -y chromium") {
        return;
    }
    let pages = [
        ("index.html", "EventFlux"),
        ("generated/connectors/datagen.html", "datagen"),
        ("sql/expressions.html", "Expressions and operators"),
    ];
    for (page, heading) in pages {
        let profile = temp_dir(&format!("chrome-{}", page.replace('/', "-")));
        let url = format!("file://{}", out.join(page).display());
        let o = run_bounded(
            chromium(&profile).arg("--dump-dom").arg(&url),
            Duration::from_secs(60),
        );
        let dom = String::from_utf8_lossy(&o.stdout);
        // The page content (not the menu title) starts with the rendered heading.
        let main = dom
            .split("<main")
            .nth(1)
            .unwrap_or_else(|| panic!("{page}: no <main> in:\n{dom:.2000}"));
        let h1 = main
            .split("<h1")
            .nth(1)
            .unwrap_or_else(|| panic!("{page}: no rendered <h1> in <main>"));
        assert!(
            h1.split("</h1>").next().unwrap_or("").contains(heading),
            "{page}: the page's <h1> does not say '{heading}'"
        );
        assert!(
            dom.contains("id=\"sidebar\"") || dom.contains("class=\"sidebar"),
            "{page}: no navigation sidebar"
        );
        assert!(
            !main.contains("```") && !main.contains("\n## "),
            "{page}: raw Markdown in the page"
        );
    }
    let shot = out.join("connector.png");
    let profile = temp_dir("chrome-shot");
    let url = format!(
        "file://{}",
        out.join("generated/connectors/datagen.html").display()
    );
    run_bounded(
        chromium(&profile)
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--window-size=1280,900")
            .arg(&url),
        Duration::from_secs(60),
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "screenshot missing or blank ({size} bytes)");
}
