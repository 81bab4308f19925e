//! The docs site: generated pages match the code, every SQL example compiles, internal links
//! resolve, and the built site renders in a real browser (mdBook + headless Chromium).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_eventflux"))
}

/// A fresh directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("eventflux-docs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl std::ops::Deref for TempDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl AsRef<std::ffi::OsStr> for TempDir {
    fn as_ref(&self) -> &std::ffi::OsStr {
        self.0.as_os_str()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
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
    let dir = TempDir::new("generated");
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
        "the generated pages differ in name (left: generated now, right: committed); \
         regenerate with: rm -r website/src/generated && cargo run -- docs --out \
         website/src/generated, then list new pages in website/src/SUMMARY.md"
    );
    for f in &fresh {
        let name = f.strip_prefix(&*dir).unwrap();
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
    let dir = TempDir::new("sql");
    let mut checked = 0;
    // Secrets in examples are ${VAR}s a user sets; each gets a value here.
    let vars = regex::Regex::new(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}").unwrap();
    for file in all_markdown() {
        for (line, sql) in sql_blocks(&file) {
            let app = dir.join(format!("block{checked}.sql"));
            std::fs::write(&app, &sql).unwrap();
            let o = bin()
                .arg("check")
                .arg(&app)
                .env("RUST_LOG", "error")
                .envs(
                    vars.captures_iter(&sql)
                        .map(|c| (c[1].to_string(), "example")),
                )
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

/// The "not supported yet" pages describe what the compiler does today: when one of these
/// features lands, this fails so that its page is replaced by a real reference.
#[test]
fn not_yet_pages_match_the_compiler() {
    let streams = "CREATE STREAM A (k STRING, v INT);\nCREATE STREAM B (k STRING, v INT);\n";
    let cases = [
        (
            "sql/not-yet.md",
            "INSERT INTO O SELECT e1.v AS v FROM PATTERN ((e1=A -> e2=B) WITHIN 1 SECOND -> e3=A);",
            Some("WITHIN on a group inside a pattern"),
        ),
        (
            "sql/not-yet.md",
            "INSERT INTO O SELECT e1.v AS v FROM PATTERN (e1=A -> every not B for 1 sec and e2=A);",
            Some("EVERY on an absent element in an and/or pair after the first step is not supported yet"),
        ),
    ];
    let dir = TempDir::new("not-yet");
    let mut stale = Vec::new();
    for (i, (page, statement, message)) in cases.iter().enumerate() {
        let app = dir.join(format!("case{i}.sql"));
        std::fs::write(&app, format!("{streams}{statement}\n")).unwrap();
        let o = bin().arg("check").arg(&app).output().unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        if o.status.success() {
            stale.push(format!(
                "`{statement}` compiles now: replace website/src/{page} (\"not supported yet\") \
                 with its reference and drop the case here"
            ));
        } else if let Some(m) = message.filter(|m| !stderr.contains(m)) {
            stale.push(format!(
                "website/src/{page} quotes \"{m}\", but `{statement}` gives:\n{stderr}"
            ));
        }
    }
    assert!(stale.is_empty(), "{}", stale.join("\n"));
}

/// mdBook's id for a heading: lower case, spaces to '-', only alphanumerics, '-' and '_' kept.
fn heading_id(text: &str) -> String {
    text.trim()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// The heading ids of a page (outside code blocks); repeated headings get `-1`, `-2`, ...
fn anchors(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut bases: Vec<String> = Vec::new();
    let mut ids = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        let title = line.trim_start_matches('#');
        if in_code || !line.starts_with('#') || !title.starts_with(' ') {
            continue;
        }
        let id = heading_id(&title.replace('`', ""));
        let n = bases.iter().filter(|b| **b == id).count();
        ids.push(if n == 0 {
            id.clone()
        } else {
            format!("{id}-{n}")
        });
        bases.push(id);
    }
    ids
}

/// Every markdown link target `](target)` in a page, outside code blocks.
fn links(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    let mut in_code = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            continue;
        }
        let mut rest = line;
        while let Some(i) = rest.find("](") {
            rest = &rest[i + 2..];
            let Some(end) = rest.find(')') else { break };
            out.push(rest[..end].to_string());
        }
    }
    out
}

#[test]
fn internal_links_resolve() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for file in all_markdown() {
        for target in links(&file) {
            if target.starts_with("http") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let dest = if path.is_empty() {
                file.clone()
            } else {
                file.parent().unwrap().join(path)
            };
            checked += 1;
            if !dest.is_file() {
                broken.push(format!("{}: {target} (no such file)", file.display()));
            } else if let Some(a) = anchor {
                if !anchors(&dest).iter().any(|id| id == a) {
                    broken.push(format!(
                        "{}: {target} (no heading with id '{a}' in {})",
                        file.display(),
                        dest.display()
                    ));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    assert!(checked > 40, "expected the site's links, found {checked}");
}

#[test]
fn every_page_is_in_the_summary() {
    let src = Path::new("website/src");
    let summary = src.join("SUMMARY.md");
    let listed: Vec<PathBuf> = links(&summary).iter().map(|l| src.join(l)).collect();
    for p in &listed {
        assert!(
            p.is_file(),
            "SUMMARY.md lists {}, which does not exist",
            p.display()
        );
    }
    let orphans: Vec<String> = all_markdown()
        .into_iter()
        .filter(|f| f != &summary && !listed.contains(f))
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        orphans.is_empty(),
        "pages missing from website/src/SUMMARY.md (mdBook would not render them):\n{}",
        orphans.join("\n")
    );
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
        // Wide enough for mdBook to show the sidebar beside the page.
        "--window-size=1280,900",
    ]);
    c.arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// The text between `open` (its first occurrence) and the next `close`.
fn section<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)?;
    let rest = &text[start..];
    Some(&rest[..rest.find(close)?])
}

#[test]
fn site_builds_and_renders_in_a_browser() {
    if !require("mdbook", "cargo install mdbook --locked") {
        return;
    }
    let out = TempDir::new("book");
    let o = run_bounded(
        Command::new("mdbook")
            .arg("build")
            .arg("website")
            .arg("-d")
            .arg(&*out),
        Duration::from_secs(120),
    );
    assert!(
        o.status.success(),
        "mdbook build failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // mdBook's built-in search: its index ships with the site (file names carry a hash).
    let has_index = std::fs::read_dir(&*out).unwrap().any(|e| {
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
        let profile = TempDir::new(&format!("chrome-{}", page.replace('/', "-")));
        let url = format!("file://{}", out.join(page).display());
        let o = run_bounded(
            chromium(&profile).arg("--dump-dom").arg(&url),
            Duration::from_secs(60),
        );
        let dom = String::from_utf8_lossy(&o.stdout);
        // The page content (not the menu title) starts with the rendered heading.
        let main = section(&dom, "<main", "</main>")
            .unwrap_or_else(|| panic!("{page}: no <main> in:\n{dom:.2000}"));
        let h1 = section(main, "<h1", "</h1>")
            .unwrap_or_else(|| panic!("{page}: no rendered <h1> in <main>:\n{main:.2000}"));
        assert!(
            h1.contains(heading),
            "{page}: the page's <h1> does not say '{heading}': {h1}"
        );
        for raw in ["```", "\n## ", "\n# ", "{{#include", "](", "**"] {
            assert!(
                !main.contains(raw),
                "{page}: raw Markdown ({raw:?}) in the page:\n{main:.3000}"
            );
        }
        // The navigation: mdBook's sidebar, visible, with the table of contents filled in by
        // its script and the current page marked.
        let sidebar = section(&dom, "<nav id=\"mdbook-sidebar\"", "</nav>")
            .or_else(|| section(&dom, "<nav id=\"sidebar\"", "</nav>"))
            .unwrap_or_else(|| panic!("{page}: no sidebar navigation in:\n{dom:.2000}"));
        assert!(
            !sidebar[..sidebar.find('>').unwrap_or(0)].contains("aria-hidden=\"true\""),
            "{page}: the sidebar is hidden"
        );
        for entry in [
            "getting-started.html",
            "sql/expressions.html",
            "connectors/datagen.html",
        ] {
            assert!(
                sidebar.contains(entry),
                "{page}: the sidebar has no link to {entry}:\n{sidebar:.3000}"
            );
        }
        let active = section(sidebar, "class=\"active\"", "</a>")
            .or_else(|| section(sidebar, "active", "</a>"))
            .unwrap_or("");
        let title = if page == "index.html" {
            "Introduction"
        } else {
            heading
        };
        assert!(
            active.contains(title),
            "{page}: the sidebar does not mark the current page '{title}': {active}"
        );
    }
    let shot = out.join("connector.png");
    let profile = TempDir::new("chrome-shot");
    let url = format!(
        "file://{}",
        out.join("generated/connectors/datagen.html").display()
    );
    run_bounded(
        chromium(&profile)
            .arg(format!("--screenshot={}", shot.display()))
            .arg(&url),
        Duration::from_secs(60),
    );
    let size = std::fs::metadata(&shot).map(|m| m.len()).unwrap_or(0);
    assert!(size > 20_000, "screenshot missing or blank ({size} bytes)");
    let png = std::fs::read(&shot).unwrap();
    assert_eq!(
        &png[..8],
        b"\x89PNG\r\n\x1a\n",
        "the screenshot is not a PNG"
    );
    // Keep a copy to look at: EVENTFLUX_DOCS_SCREENSHOT=path/to/file.png.
    if let Ok(keep) = std::env::var("EVENTFLUX_DOCS_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

// The embedded API example shown in website/src/api.md, compiled and run here.
mod embedded {
    include!("../website/src/examples/embedded.rs");

    pub(super) fn run() -> Result<(), Box<dyn std::error::Error>> {
        main()
    }
}

#[test]
fn embedded_api_example_runs() {
    embedded::run().expect("the embedded API example failed");
}
