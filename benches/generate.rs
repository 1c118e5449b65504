//! Benchmark of `arcana new` and `arcana add resource`: wall time and peak memory per run.
//!
//! Run with `cargo bench --bench generate [-- RUNS]`. Every run happens in a fresh temporary
//! directory; the report gives the median, minimum and maximum wall time and the peak resident
//! set size the kernel recorded for the child (`wait4`). The child is started from this small
//! process, so its peak is not inflated by a large parent such as a Python interpreter.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const ADD_FIELDS: &[&str] = &[
    "name:string:80:unique",
    "description:text:optional",
    "price:decimal",
    "stock:int",
    "views:bigint",
    "rating:float",
    "active:bool",
    "released_on:date",
    "sku:uuid:unique",
    "attributes:json:optional",
];

struct Sample {
    millis: f64,
    max_rss_kib: i64,
}

fn run(bin: &str, args: &[&str], cwd: &Path) -> Sample {
    let started = Instant::now();
    // Reaped below with wait4, which also reports the child's resource usage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn arcana");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child we just spawned.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(waited, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "`arcana {}` failed in {}",
        args.join(" "),
        cwd.display()
    );
    Sample {
        millis,
        max_rss_kib: usage.ru_maxrss,
    }
}

fn report(label: &str, samples: &mut [Sample]) {
    samples.sort_by(|a, b| a.millis.total_cmp(&b.millis));
    let median = samples[samples.len() / 2].millis;
    let peak = samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
    println!(
        "{label:<34} median {median:6.2} ms   min {:6.2} ms   max {:6.2} ms   peak RSS {peak:5.1} MiB   ({} runs)",
        samples[0].millis,
        samples[samples.len() - 1].millis,
        samples.len()
    );
}

fn main() {
    let runs: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(50);
    let bin = env!("CARGO_BIN_EXE_arcana");
    let supports_add = Command::new(bin)
        .args(["add", "resource", "--help"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let mut new_samples = Vec::with_capacity(runs);
    let mut add_samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let dir = tempfile::tempdir().expect("temporary directory");
        new_samples.push(run(bin, &["new", "benchsvc", "--no-input"], dir.path()));
        if supports_add {
            let mut args = vec!["add", "resource", "product"];
            args.extend_from_slice(ADD_FIELDS);
            args.push("--no-input");
            add_samples.push(run(bin, &args, &dir.path().join("benchsvc")));
        }
    }
    report("arcana new", &mut new_samples);
    if supports_add {
        report("arcana add resource (10 fields)", &mut add_samples);
    }
}
