//! Shards: one run's input split over N independent tasks (a Slurm job array, a Kubernetes
//! indexed job), each writing its own folder `part-I-of-N` below the output folder.
//!
//! The split is a function of the input files' ids and sizes only, so every task computes
//! the same one whatever order the file system lists files in. Files are dealt largest
//! first, each to the shard with the fewest bytes so far (ties: fewer files, then the lower
//! index); this keeps the shards within one file's size of each other. Each shard then
//! reads its files in the usual (id) order.
//!
//! ```
//! use moulin::shard::{partition, Shard};
//!
//! let files = [("a.jsonl", 100), ("b.jsonl", 60), ("c.jsonl", 50), ("d.jsonl", 10)];
//! assert_eq!(partition(&files, 2), [0, 1, 1, 0]);
//! let shard: Shard = "1/2".parse()?;
//! assert_eq!(shard.dir_name(), "part-1-of-2");
//! # Ok::<(), moulin::shard::ShardError>(())
//! ```

use std::fmt;
use std::str::FromStr;

/// One shard of a run: `index` of `count` (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which one, from 0.
    pub index: usize,
    /// How many there are.
    pub count: usize,
}

/// A `--shard` value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ShardError(pub String);

impl Shard {
    /// A shard, checked: `index < count`.
    pub fn new(index: usize, count: usize) -> Result<Shard, ShardError> {
        if count == 0 || index >= count {
            return Err(ShardError(format!("expected a shard index from 0 to count - 1, found {index}/{count}")));
        }
        Ok(Shard { index, count })
    }

    /// From the scheduler's environment (`--shard auto`, or `auto/N` with the count given).
    ///
    /// - `auto`: Slurm's `SLURM_ARRAY_TASK_ID`, less `SLURM_ARRAY_TASK_MIN` (so that
    ///   `--array=1-4` works too), of `SLURM_ARRAY_TASK_COUNT`.
    /// - `auto/N`: shard `SLURM_ARRAY_TASK_ID` of N, or Kubernetes' `JOB_COMPLETION_INDEX`
    ///   of N. The task id is taken as the shard index, whatever the array holds, so that
    ///   some shards can be submitted again on their own (`sbatch --array=3,5`).
    ///
    /// `var` reads a variable (`std::env::var(..).ok()` in a program; a map in tests).
    pub fn auto(count: Option<usize>, var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        let number = |name: &str| -> Result<Option<usize>, ShardError> {
            match var(name) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| ShardError(format!("{name}={v:?} is not a whole number"))),
            }
        };
        let index = match number("SLURM_ARRAY_TASK_ID")? {
            Some(id) => id,
            None => match number("JOB_COMPLETION_INDEX")? {
                Some(index) if count.is_some() => index,
                Some(_) => return Err(ShardError("JOB_COMPLETION_INDEX is set, but an indexed job does not say how many tasks it has: give the count, --shard auto/N".into())),
                None => {
                    return Err(ShardError("--shard auto: neither SLURM_ARRAY_TASK_ID (a Slurm job array) nor JOB_COMPLETION_INDEX (a Kubernetes indexed job) is set".into()))
                }
            },
        };
        if let Some(count) = count {
            return Shard::new(index, count);
        }
        let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| ShardError("SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT: give the count, --shard auto/N".into()))?;
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let index = index.checked_sub(min).ok_or_else(|| ShardError(format!("SLURM_ARRAY_TASK_ID {index} is below SLURM_ARRAY_TASK_MIN {min}")))?;
        Shard::new(index, count)
    }

    /// A `--shard` value: `I/N`, `auto` or `auto/N` ([`Shard::auto`], reading variables with
    /// `var`).
    pub fn from_arg(value: &str, var: impl Fn(&str) -> Option<String>) -> Result<Shard, ShardError> {
        match value.strip_prefix("auto") {
            Some("") => Shard::auto(None, var),
            Some(rest) => match rest.strip_prefix('/').and_then(|n| n.parse().ok()) {
                Some(count) => Shard::auto(Some(count), var),
                None => Err(ShardError(format!("expected auto or auto/N, found {value:?}"))),
            },
            None => value.parse(),
        }
    }

    /// The shard's folder below the output folder: `part-I-of-N`, `I` padded to the width
    /// of `N` so that folders sort in order.
    pub fn dir_name(&self) -> String {
        let width = self.count.to_string().len();
        format!("part-{:0width$}-of-{}", self.index, self.count)
    }

    /// The shard a folder name stands for (`part-03-of-12`), if it is one.
    pub fn from_dir_name(name: &str) -> Option<Shard> {
        let (index, count) = name.strip_prefix("part-")?.split_once("-of-")?;
        let shard = Shard::new(index.parse().ok()?, count.parse().ok()?).ok()?;
        (shard.dir_name() == name).then_some(shard)
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = ShardError;

    /// `I/N`. (`auto` needs the environment: [`Shard::auto`].)
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError(format!("expected I/N (such as 0/4), auto or auto/N, found {s:?}"));
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        Shard::new(i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?)
    }
}

/// The shard of each file, given `(id, size)` in any order: the same ids and sizes always
/// give the same answer, whatever their order.
pub fn partition(files: &[(&str, u64)], count: usize) -> Vec<usize> {
    let count = count.max(1);
    let mut order: Vec<usize> = (0..files.len()).collect();
    order.sort_by(|&a, &b| files[b].1.cmp(&files[a].1).then_with(|| files[a].0.cmp(files[b].0)));
    // (bytes, files) per shard; the lightest is found by a scan, which is fine for the
    // few hundred shards a job array has.
    let mut load = vec![(0u64, 0usize); count];
    let mut shard_of = vec![0; files.len()];
    for i in order {
        let lightest = (0..count).min_by_key(|&s| (load[s], s)).expect("count is at least 1");
        load[lightest].0 += files[i].1;
        load[lightest].1 += 1;
        shard_of[i] = lightest;
    }
    shard_of
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn auto_reads_slurm_and_kubernetes() {
        assert_eq!(Shard::auto(None, env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")])), Ok(Shard { index: 3, count: 4 }));
        let one_based = env(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")]);
        assert_eq!(Shard::auto(None, one_based), Ok(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::auto(Some(8), env(&[("JOB_COMPLETION_INDEX", "5")])), Ok(Shard { index: 5, count: 8 }));
        let no_count = Shard::auto(None, env(&[("JOB_COMPLETION_INDEX", "5")])).unwrap_err();
        assert!(no_count.0.contains("auto/N"), "{no_count}");
        // With the count given, the task id is the shard: a subset of the array resubmitted.
        let subset = env(&[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "3"), ("SLURM_ARRAY_TASK_COUNT", "2")]);
        assert_eq!(Shard::auto(Some(8), subset), Ok(Shard { index: 5, count: 8 }));
        assert!(Shard::auto(Some(4), env(&[("SLURM_ARRAY_TASK_ID", "4")])).unwrap_err().0.contains("4/4"));
        assert!(Shard::auto(Some(4), env(&[("JOB_COMPLETION_INDEX", "4")])).is_err());
        assert!(Shard::auto(None, env(&[])).unwrap_err().0.contains("neither"));
        assert!(Shard::auto(None, env(&[("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "4")])).unwrap_err().0.contains("\"x\""));
    }

    #[test]
    fn command_line_values() {
        let slurm = env(&[("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_COUNT", "3")]);
        assert_eq!(Shard::from_arg("1/4", &slurm), Ok(Shard { index: 1, count: 4 }));
        assert_eq!(Shard::from_arg("auto", &slurm), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(Shard::from_arg("auto/8", &slurm), Ok(Shard { index: 2, count: 8 }));
        assert!(Shard::from_arg("auto/x", &slurm).unwrap_err().0.contains("auto/N"));
        assert!(Shard::from_arg("autox", &slurm).is_err());
    }

    #[test]
    fn parse_and_folder_names() {
        assert_eq!("2/12".parse::<Shard>(), Ok(Shard { index: 2, count: 12 }));
        for bad in ["4/4", "1", "a/b", "0/0", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        let s = Shard::new(2, 12).unwrap();
        assert_eq!(s.dir_name(), "part-02-of-12");
        assert_eq!(Shard::from_dir_name("part-02-of-12"), Some(s));
        assert_eq!(Shard::from_dir_name("part-2-of-12"), None);
        assert_eq!(Shard::from_dir_name("part-12-of-12"), None);
        assert_eq!(Shard::from_dir_name("docs.part-00001.jsonl"), None);
    }

    proptest! {
        /// The same files in any order give the same shards; no shard is more than the
        /// largest file heavier than another; every file is in exactly one shard.
        #[test]
        fn partition_is_stable_and_balanced(sizes in prop::collection::vec(0u64..10_000, 0..60), count in 1usize..9, seed in any::<u64>()) {
            let names: Vec<String> = (0..sizes.len()).map(|i| format!("f{i:03}")).collect();
            let files: Vec<(&str, u64)> = names.iter().map(String::as_str).zip(sizes.iter().copied()).collect();
            let shards = partition(&files, count);
            // A shuffled copy (a fixed permutation from the seed).
            let mut order: Vec<usize> = (0..files.len()).collect();
            order.sort_by_key(|&i| (i as u64).wrapping_mul(seed | 1).rotate_left(17));
            let shuffled: Vec<(&str, u64)> = order.iter().map(|&i| files[i]).collect();
            let again = partition(&shuffled, count);
            for (k, &i) in order.iter().enumerate() {
                prop_assert_eq!(again[k], shards[i]);
            }
            prop_assert!(shards.iter().all(|&s| s < count));
            let mut load = vec![0u64; count];
            for (f, &s) in files.iter().zip(&shards) {
                load[s] += f.1;
            }
            let largest = sizes.iter().copied().max().unwrap_or(0);
            let (lo, hi) = (load.iter().min().copied().unwrap_or(0), load.iter().max().copied().unwrap_or(0));
            prop_assert!(hi - lo <= largest, "loads {:?}, largest file {}", load, largest);
        }
    }
}
