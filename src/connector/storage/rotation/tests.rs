//! The rotation core on real files: size rotation, single-file appends, partition names.

use super::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn settings(dir: &Path, max_bytes: Option<u64>) -> FileSettings {
    FileSettings {
        path: dir.to_path_buf(),
        compression: Compression::None,
        rotation: TimeRotation::None,
        max_bytes,
        partition_by: None,
        batch_size: 100,
        flush_interval: Duration::from_millis(100),
        fsync: Fsync::Never,
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir).unwrap()
}

#[test]
fn size_rotation_closes_and_renames_each_file() {
    let dir = std::env::temp_dir().join(format!("ef-rot-{}", fastrand::u64(..)));
    let layout = Layout::new(settings(&dir, Some(10)), "S", "txt", Some(b"H\n".to_vec()));
    let set = RotatingFile::open(layout, None).unwrap();
    for i in 0..5 {
        set.write(format!("record{i}\n").as_bytes()).unwrap();
    }
    set.close().unwrap();
    let all = files(&dir);
    assert_eq!(all.len(), 5, "{all:?}");
    for f in &all {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.starts_with("S-") && name.ends_with(".txt"), "{name}");
        let text = std::fs::read_to_string(f).unwrap();
        assert!(text.starts_with("H\nrecord"), "{text}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn single_file_mode_appends_and_writes_the_header_once() {
    let dir = std::env::temp_dir().join(format!("ef-single-{}", fastrand::u64(..)));
    let path = dir.join("out.csv");
    let mut s = settings(&path, None);
    s.path = path.clone();
    for round in 0..2 {
        let layout = Layout::new(s.clone(), "S", "csv", Some(b"a,b\n".to_vec()));
        let set = RotatingFile::open(layout, None).unwrap();
        set.write(format!("{round},x\n").as_bytes()).unwrap();
        set.rotate(); // no effect on a single file
        set.close().unwrap();
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "a,b\n0,x\n1,x\n");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn partition_names_cannot_escape_the_base() {
    assert_eq!(partition_dir("../etc"), "___etc");
    assert_eq!(partition_dir("ws-1"), "ws-1");
    assert_eq!(partition_dir(""), "_empty");
}

#[test]
fn health_checks_where_the_file_will_be_written() {
    let dir = std::env::temp_dir().join(format!("ef-health-{}", fastrand::u64(..)));
    std::fs::create_dir_all(&dir).unwrap();
    let set = |path: PathBuf| {
        let layout = Layout::new(settings(&path, None), "S", "txt", None);
        FileSet::new(layout, None)
    };
    // Not created yet, under a directory that exists: healthy.
    let (h, rate) = set(dir.join("later/out")).health();
    assert!(h.healthy, "{h:?}");
    assert_eq!(rate, 1.0, "no buffer taken yet");
    // Under a regular file nothing can be created.
    std::fs::write(dir.join("plain"), b"x").unwrap();
    let (h, _) = set(dir.join("plain/out")).health();
    assert!(!h.healthy, "{h:?}");
    assert!(h.detail.contains("not a directory"), "{h:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
