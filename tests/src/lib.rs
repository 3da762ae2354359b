//! Helpers for the integration tests in `tests/tests/`: where the built binaries and
//! plugin libraries are, building out-of-tree plugin projects, writing test projects and
//! running the `moulin` command.
//!
//! The tests expect `cargo build --workspace` to have run (the README's test command does
//! it), so that `target/debug` holds the `moulin` binary and the plugin libraries.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is in the repository").to_path_buf()
}

/// The folder of the built binaries and libraries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary has a path");
    // target/debug/deps/<test binary>
    exe.parent().and_then(Path::parent).expect("test binaries live in target/<profile>/deps").to_path_buf()
}

/// A built plugin library of the workspace, by crate name (`moulin-normalize`).
pub fn lib(crate_name: &str) -> PathBuf {
    let path = bin_dir().join(lib_file_name(crate_name));
    assert!(path.exists(), "{} is missing: run `cargo build --workspace` before the tests", path.display());
    path
}

/// `libmoulin_normalize.so` for `moulin-normalize` (the platform's prefix and suffix).
pub fn lib_file_name(crate_name: &str) -> String {
    format!("{}{}{}", std::env::consts::DLL_PREFIX, crate_name.replace('-', "_"), std::env::consts::DLL_SUFFIX)
}

/// The `moulin` binary.
pub fn moulin_exe() -> PathBuf {
    let path = bin_dir().join(format!("moulin{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: run `cargo build --workspace` before the tests", path.display());
    path
}

/// A `moulin` command with arguments; the plugin path is the binary's folder only.
pub fn moulin_command(args: &[&str], envs: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(moulin_exe());
    cmd.args(args);
    // Nothing of the caller's environment that moulin reads: the plugin path, logging, test
    // hooks, and the task ids of a cluster the tests might run inside (`--shard auto`).
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("MOULIN_") || key.starts_with("SLURM_") || key == "JOB_COMPLETION_INDEX" || key == "RUST_LOG"
        {
            cmd.env_remove(&*key);
        }
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd
}

/// Run `moulin` with arguments; the plugin path is the binary's folder only.
pub fn moulin(args: &[&str], envs: &[(&str, &str)]) -> Output {
    moulin_command(args, envs).output().expect("moulin runs")
}

/// Run `moulin` (output discarded) and give its exit status and its peak resident memory
/// in MiB, as the kernel counted it for that process (`wait4`'s `ru_maxrss`).
pub fn moulin_peak_rss(args: &[&str]) -> (Option<i32>, u64) {
    let child = moulin_command(args, &[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("moulin runs");
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value, and wait4 is given this child's pid and
    // pointers to locals that live across the call.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4: {}", std::io::Error::last_os_error());
    // Reaped by wait4: std must not wait for the pid again (it could be another child's by
    // now), and a Child has nothing else to release (its output goes nowhere).
    std::mem::forget(child);
    let code = libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status));
    (code, usage.ru_maxrss as u64 / 1024)
}

/// Load a project in this process, as `moulin run` would, but without the caller's
/// `MOULIN_PLUGIN_PATH`: the plugin path is the project's `[plugins] paths` and the test
/// binary's folder. (The variable is removed once, before the first project of the test
/// binary is loaded; only std reads the environment here, under its lock.)
pub fn load_project(path: &Path) -> moulin::Project {
    static ISOLATED: std::sync::Once = std::sync::Once::new();
    ISOLATED.call_once(|| std::env::remove_var("MOULIN_PLUGIN_PATH"));
    moulin::Project::load(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Text of stdout and stderr, for messages.
pub fn text(out: &Output) -> String {
    format!("--- stdout\n{}--- stderr\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Build a plugin that is its own Cargo project (`examples/hello-plugin`,
/// `tests/plugins/panic-abort`, ...) into `target/oot`, and return its library. Its lock file
/// starts as a copy of the workspace's, so it builds with the same dependency versions.
pub fn build_out_of_tree(dir: &str) -> PathBuf {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let src = root().join(dir);
    let manifest: toml::Table = std::fs::read_to_string(src.join("Cargo.toml")).unwrap().parse().unwrap();
    let name = manifest["package"]["name"].as_str().unwrap().to_string();
    let lock = src.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(root().join("Cargo.lock"), &lock).unwrap();
    }
    let target = root().join("target/oot");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs");
    assert!(out.status.success(), "building {dir} failed:\n{}", text(&out));
    let path = target.join("debug").join(lib_file_name(&name));
    assert!(path.exists(), "{} was not built", path.display());
    path
}

/// Write a copy of moulin-abi under the version `version` to `target/oot-src/<folder>`
/// (for a plugin built against another ABI version).
pub fn abi_copy(folder: &str, version: &str) -> PathBuf {
    let dir = root().join("target/oot-src").join(folder);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    for file in std::fs::read_dir(root().join("core/abi/src")).unwrap() {
        let file = file.unwrap().path();
        std::fs::copy(&file, dir.join("src").join(file.file_name().unwrap())).unwrap();
    }
    let manifest = format!(
        "[package]\nname = \"moulin-abi\"\nversion = \"{version}\"\nedition = \"2021\"\n\n\
         [dependencies]\nabi_stable = {{ version = \"=0.11.3\", default-features = false }}\n\
         serde = {{ version = \"1\", features = [\"derive\"] }}\nserde_json = \"1\"\n\n\
         [features]\n__test_layout_mismatch = []\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    dir
}

/// A temporary folder with a project file `project.toml` and a `corpus/` folder.
pub struct TestProject {
    /// The temporary folder (removed on drop).
    pub dir: tempfile::TempDir,
}

impl TestProject {
    /// A new project whose file is `toml`.
    pub fn new(toml: &str) -> TestProject {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("corpus")).unwrap();
        std::fs::write(dir.path().join("project.toml"), toml).unwrap();
        TestProject { dir }
    }

    /// The project file.
    pub fn file(&self) -> PathBuf {
        self.dir.path().join("project.toml")
    }

    /// Write a corpus file.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join("corpus").join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// A file of the output folder (`out/`).
    pub fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join("out").join(name)
    }

    /// Read an output file as text.
    pub fn read_out(&self, name: &str) -> String {
        std::fs::read_to_string(self.out(name)).unwrap_or_else(|e| panic!("{}: {e}", self.out(name).display()))
    }

    /// The lines of `errors.jsonl`, parsed.
    pub fn errors(&self) -> Vec<serde_json::Value> {
        self.read_out("errors.jsonl").lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }
}

/// Run `shards` shards of a project at once, as a Slurm array runs them (without the
/// caller's plugin path), and wait for them all.
pub fn run_shards(project_file: &Path, out: &Path, shards: usize, envs: &[(&str, &str)]) -> Vec<Output> {
    let children: Vec<_> = (0..shards)
        .map(|i| {
            Command::new(moulin_exe())
                .args(["run", &project_file.display().to_string(), "--output", &out.display().to_string()])
                .args(["--shard", &format!("{i}/{shards}"), "--quiet"])
                .envs(envs.iter().copied())
                .env_remove("MOULIN_PLUGIN_PATH")
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    children.into_iter().map(|c| c.wait_with_output().unwrap()).collect()
}

/// The `manifest.json` of a run's output folder.
pub fn manifest_of(out: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(out.join("manifest.json")).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    serde_json::from_str(&text).unwrap()
}

/// A TOML string literal for a path.
pub fn toml_path(p: &Path) -> String {
    toml::Value::String(p.display().to_string()).to_string()
}

/// gzip-compress bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// zstd-compress bytes.
pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// Check that every file's count adds up and the totals are the sums; returns the report.
pub fn assert_accounting(report: &moulin::RunReport) {
    let mut sum = (0, 0, 0, 0);
    for f in &report.files {
        assert_eq!(f.documents, f.exported + f.dropped + f.failed, "counts of {} do not add up: {f:?}", f.path);
        sum = (sum.0 + f.documents, sum.1 + f.exported, sum.2 + f.dropped, sum.3 + f.failed);
    }
    let t = &report.totals;
    assert_eq!(sum, (t.documents, t.exported, t.dropped, t.failed), "totals are not the sums of the files");
}

/// A zip archive of stored (uncompressed) members, written by hand so that a test can give
/// it what zip writers refuse: two members of one name, a name in CP437 without the UTF-8
/// flag. Each member is `(name bytes, data, whether the UTF-8 flag is set)`.
pub fn stored_zip(members: &[(&[u8], &[u8], bool)]) -> Vec<u8> {
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for &(name, data, utf8) in members {
        let mut crc = flate2::Crc::new();
        crc.update(data);
        let offset = out.len() as u32;
        let flags: u16 = if utf8 { 1 << 11 } else { 0 };
        // version needed, flags, method (stored), time, date (1980-01-01), crc, sizes, name, extra
        let common = |v: &mut Vec<u8>| {
            for n in [20u16, flags, 0, 0, 33] {
                v.extend_from_slice(&n.to_le_bytes());
            }
            for n in [crc.sum(), data.len() as u32, data.len() as u32] {
                v.extend_from_slice(&n.to_le_bytes());
            }
            v.extend_from_slice(&(name.len() as u16).to_le_bytes());
            v.extend_from_slice(&0u16.to_le_bytes());
        };
        out.extend_from_slice(b"PK\x03\x04");
        common(&mut out);
        out.extend_from_slice(name);
        out.extend_from_slice(data);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&20u16.to_le_bytes());
        common(&mut central);
        // comment length, disk, internal and external attributes, local header offset
        central.extend_from_slice(&[0u8; 10]);
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
    }
    let (at, size) = (out.len() as u32, central.len() as u32);
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06\0\0\0\0");
    let n = members.len() as u16;
    for v in [n, n] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
