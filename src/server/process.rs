//! The process's own figures for `/metrics` and `GET /stats`: CPU time, resident memory and
//! threads, read from `/proc/self/stat` (Linux; elsewhere they are absent).

/// CPU seconds (user + system), resident bytes, threads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProcessStats {
    pub cpu_seconds: f64,
    pub resident_bytes: u64,
    pub threads: u64,
}

/// Parses the fields after the command name of a `/proc/<pid>/stat` line.
fn parse_stat(stat: &str, ticks_per_second: f64, page_bytes: u64) -> Option<ProcessStats> {
    // The command name is in parentheses and may hold spaces: count from the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the name: state is field 3 of the line, so fields[k] is field k + 3.
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    let (utime, stime) = (field(14)?, field(15)?);
    Some(ProcessStats {
        cpu_seconds: (utime + stime) as f64 / ticks_per_second,
        threads: field(20)?,
        resident_bytes: field(24)? * page_bytes,
    })
}

/// This process's figures now, where the OS tells them.
pub fn current() -> Option<ProcessStats> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // SAFETY: sysconf only reads configuration values.
    let (ticks, page) = unsafe {
        (
            libc::sysconf(libc::_SC_CLK_TCK),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if ticks <= 0 || page <= 0 {
        return None;
    }
    parse_stat(&stat, ticks as f64, page as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_with_spaces_in_the_name_parses() {
        let line = "4242 (event flux) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 50 0 0 20 0 7 0 \
                    100 123456789 1000 18446744073709551615";
        let s = parse_stat(line, 100.0, 4096).unwrap();
        assert_eq!(s.cpu_seconds, 3.0);
        assert_eq!(s.threads, 7);
        assert_eq!(s.resident_bytes, 1000 * 4096);
    }

    #[test]
    fn this_process_is_read() {
        let s = current().expect("/proc/self/stat on Linux");
        assert!(s.threads >= 1 && s.resident_bytes > 0);
    }
}
