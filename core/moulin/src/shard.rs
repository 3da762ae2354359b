//! Shards: one run's input split over N independent tasks (a Slurm job array, a Kubernetes
//! indexed job), each writing its own folder `part-I-of-N` below the output folder.
//!
//! The split cuts the input files, in the order a run reads them, into N consecutive ranges
//! of about the same size on disk: each cut is the file boundary nearest to `k/N` of the
//! total. The order is the walk's, which is sorted, so every task computes the same split
//! whatever order the file system lists files in. Because the ranges are consecutive, the
//! shards' outputs joined in shard order hold the documents in the order of one run over
//! everything (`moulin merge --concat`), and files of one folder stay together (what the
//! `boilerplate` stage's `repeated` lines are learnt from). A shard is within the largest
//! file's size of `1/N` of the total, on either side.
//!
//! ```
//! use moulin::shard::{partition, Shard};
//!
//! assert_eq!(partition(&[100, 60, 50, 10, 80], 2), [0, 0, 1, 1, 1]);
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
                Some(v) => {
                    v.trim().parse().map(Some).map_err(|_| ShardError(format!("{name}={v:?} is not a whole number")))
                }
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
        let count = number("SLURM_ARRAY_TASK_COUNT")?.ok_or_else(|| {
            ShardError(
                "SLURM_ARRAY_TASK_ID is set but not SLURM_ARRAY_TASK_COUNT: give the count, --shard auto/N".into(),
            )
        })?;
        let min = number("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        let index = index
            .checked_sub(min)
            .ok_or_else(|| ShardError(format!("SLURM_ARRAY_TASK_ID {index} is below SLURM_ARRAY_TASK_MIN {min}")))?;
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

/// The shard of each file, given the files' sizes in reading order: consecutive ranges, the
/// cut between shards `k - 1` and `k` at the file boundary nearest to `k/count` of the total
/// (the earlier one on a tie). With no bytes at all, files are split by number.
pub fn partition(sizes: &[u64], count: usize) -> Vec<usize> {
    let count = count.max(1) as u128;
    let n = sizes.len();
    let total: u128 = sizes.iter().map(|&s| s as u128).sum();
    if total == 0 {
        return (0..n).map(|i| (i as u128 * count / n.max(1) as u128) as usize).collect();
    }
    // before[i]: bytes before file i; cuts[k]: the first file of shard k.
    let mut before = Vec::with_capacity(n + 1);
    let mut sum = 0u128;
    for &s in sizes {
        before.push(sum);
        sum += s as u128;
    }
    before.push(sum);
    let mut cuts = vec![0usize; count as usize + 1];
    cuts[count as usize] = n;
    for k in 1..count as usize {
        // Scaled by `count`, so that the target k * total / count is a whole number.
        let target = k as u128 * total;
        let after = before.partition_point(|&b| b * count < target).min(n);
        let nearest = if after > 0 && target - before[after - 1] * count <= before[after] * count - target {
            after - 1
        } else {
            after
        };
        cuts[k] = nearest.max(cuts[k - 1]);
    }
    let mut shard_of = vec![0; n];
    for k in 0..count as usize {
        for s in &mut shard_of[cuts[k]..cuts[k + 1]] {
            *s = k;
        }
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
        assert_eq!(
            Shard::auto(None, env(&[("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4")])),
            Ok(Shard { index: 3, count: 4 })
        );
        let one_based =
            env(&[("SLURM_ARRAY_TASK_ID", "4"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_COUNT", "4")]);
        assert_eq!(Shard::auto(None, one_based), Ok(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::auto(Some(8), env(&[("JOB_COMPLETION_INDEX", "5")])), Ok(Shard { index: 5, count: 8 }));
        let no_count = Shard::auto(None, env(&[("JOB_COMPLETION_INDEX", "5")])).unwrap_err();
        assert!(no_count.0.contains("auto/N"), "{no_count}");
        // With the count given, the task id is the shard: a subset of the array resubmitted.
        let subset =
            env(&[("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_MIN", "3"), ("SLURM_ARRAY_TASK_COUNT", "2")]);
        assert_eq!(Shard::auto(Some(8), subset), Ok(Shard { index: 5, count: 8 }));
        assert!(Shard::auto(Some(4), env(&[("SLURM_ARRAY_TASK_ID", "4")])).unwrap_err().0.contains("4/4"));
        assert!(Shard::auto(Some(4), env(&[("JOB_COMPLETION_INDEX", "4")])).is_err());
        assert!(Shard::auto(None, env(&[])).unwrap_err().0.contains("neither"));
        assert!(Shard::auto(None, env(&[("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "4")]))
            .unwrap_err()
            .0
            .contains("\"x\""));
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

    #[test]
    fn cuts_fall_at_the_nearest_file_boundary() {
        assert_eq!(partition(&[10, 10, 10, 10], 2), [0, 0, 1, 1]);
        assert_eq!(partition(&[10, 10, 10, 10], 4), [0, 1, 2, 3]);
        // One huge file: the shards around it are empty rather than split.
        assert_eq!(partition(&[1, 100, 1], 3), [0, 1, 2]);
        assert_eq!(partition(&[1, 1, 100], 3), [0, 0, 1]);
        // No bytes: by number.
        assert_eq!(partition(&[0, 0, 0, 0], 2), [0, 0, 1, 1]);
        assert_eq!(partition(&[], 3), Vec::<usize>::new());
        assert_eq!(partition(&[5, 5], 1), [0, 0]);
    }

    proptest! {
        /// Every file is in one shard, the shards are consecutive ranges in order, and each
        /// is within the largest file's size of 1/N of the total.
        #[test]
        fn partition_is_consecutive_and_balanced(sizes in prop::collection::vec(0u64..10_000, 0..60), count in 1usize..9) {
            let shards = partition(&sizes, count);
            prop_assert_eq!(shards.len(), sizes.len());
            prop_assert!(shards.iter().all(|&s| s < count));
            prop_assert!(shards.windows(2).all(|w| w[0] <= w[1]), "not consecutive: {:?}", shards);
            prop_assert_eq!(partition(&sizes, count), shards.clone());
            let mut load = vec![0i128; count];
            for (size, &s) in sizes.iter().zip(&shards) {
                load[s] += *size as i128;
            }
            let total: i128 = sizes.iter().map(|&s| s as i128).sum();
            let largest = sizes.iter().copied().max().unwrap_or(0) as i128;
            if total > 0 {
                for (k, l) in load.iter().enumerate() {
                    // |load - total/count| <= largest, scaled by count.
                    prop_assert!((l * count as i128 - total).abs() <= largest * count as i128, "shard {} holds {} of {} ({:?})", k, l, total, load);
                }
            }
        }
    }
}
