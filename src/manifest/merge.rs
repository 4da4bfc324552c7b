//! `manifest merge`: the manifests of the N shards of one run joined into the manifest a
//! single run would have written, after proving that they are shares of one run, that
//! together they cover it exactly once, and that every output they list is on disk with
//! the listed bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{
    check_file, find_shard_manifests, job_list_sha256, read_shard_manifest, share_of, short,
    to_json, Manifest, ManifestEntry, ManifestError, ShardManifest, MANIFEST_NAME, MAX_SHARDS,
};

/// At most this many problems are listed, then a count of the rest.
const MAX_PROBLEMS: usize = 20;
/// At most this many names in one list of a message (missing shards, say).
const MAX_NAMED: usize = 10;
/// No line of a message is longer than this (in characters).
const MAX_LINE: usize = 400;

/// Joins the manifests of the N shards of one run into the manifest a single run would
/// have written, after checking that every shard is there once, that all are shares of the
/// same run, that each listed only jobs of its own share, that together they cover the
/// run's job list with nothing missing or doubled, and that every job has its output.
/// The files themselves are checked by `merge_files`.
pub fn merge(shards: &[(PathBuf, ShardManifest)]) -> Result<Manifest, ManifestError> {
    let mut problems = Vec::new();
    let Some((first_path, first)) = shards.first() else {
        return Err(ManifestError::Inconsistent(vec![
            "no shard manifests given".to_string(),
        ]));
    };
    let count = first.shard.count;

    for (path, shard) in shards {
        let name = path.display();
        if shard.shard.count == 0
            || shard.shard.index == 0
            || shard.shard.index > shard.shard.count
            || shard.shard.count > MAX_SHARDS
        {
            problems.push(format!(
                "{name} claims to be shard {}: not K/N with 1 <= K <= N <= {MAX_SHARDS}",
                shard.shard
            ));
            continue;
        }
        if shard.shard.count as usize > shard.run.jobs.max(1) {
            problems.push(format!(
                "{name} is shard {} of a run of {} jobs: N may be at most the number of jobs",
                shard.shard, shard.run.jobs
            ));
        }
        if !shard.run.is_consistent() {
            problems.push(format!(
                "{name} has been edited: its run digest {} is not the digest of the run it describes",
                short(&shard.run.sha256)
            ));
        }
        if shard.shard.count != count {
            problems.push(format!(
                "{name} is shard {} but {} is shard {}: all shards must split the run into the same number of shares",
                shard.shard,
                first_path.display(),
                first.shard
            ));
        }
        let differences = first.run.differences(&shard.run);
        if !differences.is_empty() || shard.generator != first.generator {
            let mut what = differences;
            if shard.generator != first.generator {
                what.push(format!(
                    "polypress ({} vs {})",
                    first.generator, shard.generator
                ));
            }
            problems.push(format!(
                "{} (run {}) and {name} (run {}) are from different runs: they differ in {}. Build every shard of a run from the same sources, options, SOURCE_DATE_EPOCH and polypress; rerun the stale shards",
                first_path.display(),
                short(&first.run.sha256),
                short(&shard.run.sha256),
                what.join(", ")
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ManifestError::Inconsistent(abridged(problems)));
    }

    // Each share exactly once.
    let mut by_index: BTreeMap<u32, &PathBuf> = BTreeMap::new();
    for (path, shard) in shards {
        if let Some(other) = by_index.insert(shard.shard.index, path) {
            problems.push(format!(
                "shard {} is given twice: {} and {}",
                shard.shard,
                other.display(),
                path.display()
            ));
        }
    }
    // Counted, then named only up to a few: N is bounded, but even 10,000 names are no
    // message.
    let missing_count = count as usize - by_index.len();
    if missing_count > 0 {
        let named: Vec<String> = (1..=count)
            .filter(|k| !by_index.contains_key(k))
            .take(MAX_NAMED)
            .map(|k| format!("{k}/{count}"))
            .collect();
        let more = missing_count - named.len();
        problems.push(format!(
            "gap: no manifest for shard {}{} (expected manifest.shard-K-of-{count}.json for K = 1..{count})",
            named.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        ));
    }

    // Jobs: each in its own share, none in two shards, each with an output.
    let mut job_owner: BTreeMap<&str, &PathBuf> = BTreeMap::new();
    let mut outputs: BTreeMap<&str, (&ManifestEntry, &PathBuf)> = BTreeMap::new();
    for (path, shard) in shards {
        let name = path.display();
        let own_jobs: BTreeSet<&str> = shard.jobs.iter().map(String::as_str).collect();
        let own_outputs: BTreeSet<&str> = shard.outputs.iter().map(|e| e.path.as_str()).collect();
        for key in &shard.jobs {
            if !shard.shard.owns(key) {
                problems.push(format!(
                    "{name} lists job {key}, which belongs to shard {}/{count}",
                    share_of(key, count) + 1
                ));
            }
            if let Some(other) = job_owner.insert(key, path) {
                problems.push(format!(
                    "overlap: job {key} is in both {} and {name}",
                    other.display()
                ));
            }
        }
        for entry in &shard.outputs {
            if !own_jobs.contains(entry.path.as_str()) {
                problems.push(format!(
                    "{name} has an output {} that is not one of its jobs",
                    entry.path
                ));
            }
            if let Some((other, other_path)) = outputs.insert(&entry.path, (entry, path)) {
                if other.sha256 != entry.sha256 {
                    problems.push(format!(
                        "overlap: {} is in both {} and {name} with different contents (sha256 {} and {})",
                        entry.path,
                        other_path.display(),
                        short(&other.sha256),
                        short(&entry.sha256)
                    ));
                }
            }
        }
        let lost: Vec<&&str> = own_jobs
            .iter()
            .filter(|k| !own_outputs.contains(*k))
            .collect();
        if !lost.is_empty() {
            // The way out first: the list of what is missing may be cut short.
            let named: Vec<&str> = lost.iter().take(MAX_NAMED / 2).map(|k| **k).collect();
            let more = lost.len() - named.len();
            problems.push(format!(
                "gap: {} of shard {}'s {} jobs have no output: it failed or was stopped; run shard {} again, it resumes where it stopped (missing: {}{})",
                lost.len(),
                shard.shard,
                own_jobs.len(),
                shard.shard,
                named.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() },
            ));
        }
    }
    let covered = job_list_sha256(job_owner.keys().copied());
    if missing_count == 0 && (job_owner.len() != first.run.jobs || covered != first.run.jobs_sha256)
    {
        problems.push(format!(
            "gap: the shards together list {} jobs but the run has {}{}",
            job_owner.len(),
            first.run.jobs,
            if job_owner.len() == first.run.jobs {
                " (with different keys)"
            } else {
                ""
            }
        ));
    }
    if !problems.is_empty() {
        return Err(ManifestError::Inconsistent(abridged(problems)));
    }
    Ok(Manifest {
        generator: first.generator.clone(),
        outputs: outputs.into_values().map(|(e, _)| e.clone()).collect(),
    })
}

/// At most `MAX_PROBLEMS` problems of at most `MAX_LINE` characters, and a count of the
/// rest: an archive run with a broken shard would otherwise print thousands of lines.
fn abridged(mut problems: Vec<String>) -> Vec<String> {
    let more = problems.len().saturating_sub(MAX_PROBLEMS);
    problems.truncate(MAX_PROBLEMS);
    for problem in &mut problems {
        if let Some((cut, _)) = problem.char_indices().nth(MAX_LINE) {
            problem.truncate(cut);
            problem.push_str(" ...");
        }
    }
    if more > 0 {
        problems.push(format!("... and {more} more"));
    }
    problems
}

/// `polypress manifest merge`: reads the shard manifests (files, or every
/// `manifest.shard-*-of-*.json` in the given folders), merges them, checks every listed
/// output on disk (beside its shard manifest) and writes `out` (by default `manifest.json`
/// next to the first shard manifest). Returns where it wrote and the merged manifest.
pub fn merge_files(
    inputs: &[PathBuf],
    out: Option<&Path>,
) -> Result<(PathBuf, Manifest), ManifestError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            files.extend(find_shard_manifests(input)?);
        } else {
            files.push(input.clone());
        }
    }
    if files.is_empty() {
        return Err(ManifestError::NoShards(PathBuf::from(".")));
    }
    let shards = files
        .iter()
        .map(|p| read_shard_manifest(p).map(|m| (p.clone(), m)))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = merge(&shards)?;

    // The outputs as the files hold them, not as the shards say: a shard manifest may be
    // stale (its outputs since rebuilt or deleted) or edited.
    let mut problems: Vec<String> = shards
        .par_iter()
        .flat_map_iter(|(path, shard)| {
            let dir = folder_of(path);
            shard
                .outputs
                .iter()
                .filter_map(|entry| {
                    check_file(&dir, entry).err().map(|mismatch| {
                        format!(
                            "{}: {mismatch}, but {} lists {} bytes with sha256 {}; build shard {} again",
                            dir.join(&entry.path).display(),
                            path.display(),
                            entry.bytes,
                            short(&entry.sha256),
                            shard.shard
                        )
                    })
                })
                .collect::<Vec<_>>()
        })
        .collect();
    if !problems.is_empty() {
        problems.sort();
        return Err(ManifestError::Inconsistent(abridged(problems)));
    }

    let target = match out {
        Some(path) => path.to_path_buf(),
        None => folder_of(&files[0]).join(MANIFEST_NAME),
    };
    crate::outputs::write_atomically(&target, &to_json(&merged)).map_err(|source| {
        ManifestError::Write {
            path: target.clone(),
            source,
        }
    })?;
    Ok((target, merged))
}

fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{generator, RunIdentity, RunSource, Shard};
    use super::*;

    fn entry(path: &str) -> ManifestEntry {
        ManifestEntry {
            path: path.to_string(),
            format: "pdf".into(),
            lang: "en".into(),
            bytes: 1,
            sha256: crate::sha256_hex(path.as_bytes()),
            source: "s.xml".into(),
            source_sha256: "0".into(),
            input_sha256: "1".into(),
        }
    }

    fn identity(keys: &[String], date: Option<i64>) -> RunIdentity {
        let sources = [RunSource {
            lang: "en",
            id: "a",
            sha256: "00",
        }];
        RunIdentity::new(keys, &sources, date, "formats=pdf".into(), "ff")
    }

    fn split_dated(keys: &[&str], count: u32, date: Option<i64>) -> Vec<(PathBuf, ShardManifest)> {
        let mut sorted: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        sorted.sort();
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                let jobs: Vec<String> = sorted.iter().filter(|k| shard.owns(k)).cloned().collect();
                let outputs = jobs.iter().map(|k| entry(k)).collect();
                (
                    PathBuf::from(shard.manifest_name()),
                    ShardManifest {
                        generator: generator(),
                        shard,
                        run: identity(&sorted, date),
                        jobs,
                        outputs,
                    },
                )
            })
            .collect()
    }

    fn split(keys: &[&str], count: u32) -> Vec<(PathBuf, ShardManifest)> {
        split_dated(keys, count, Some(1_700_000_000))
    }

    const KEYS: [&str; 8] = [
        "bg/a.bg.pdf",
        "bg/a.bg.epub",
        "en/a.en.pdf",
        "en/a.en.epub",
        "hu/a.hu.pdf",
        "hu/b.hu.docx",
        "da/a.da.pdf",
        "da/z.da.epub",
    ];

    #[test]
    fn shard_parses_k_of_n_and_refuses_nonsense() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!(
            "1/10000".parse(),
            Ok(Shard {
                index: 1,
                count: 10_000
            })
        );
        for bad in [
            "0/3",
            "4/3",
            "3",
            "a/b",
            "1/0",
            "",
            "1/10001",
            "4294967295/4294967295",
        ] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("K/N") && err.contains("10000"), "{bad}: {err}");
        }
    }

    #[test]
    fn every_key_falls_in_exactly_one_share() {
        for count in 1..6 {
            for key in KEYS {
                let owners = (1..=count)
                    .filter(|&index| Shard { index, count }.owns(key))
                    .count();
                assert_eq!(owners, 1, "{key} in {count} shares");
            }
        }
    }

    #[test]
    fn merge_of_complete_shards_lists_every_output_sorted() {
        let merged = merge(&split(&KEYS, 3)).unwrap();
        let paths: Vec<&str> = merged.outputs.iter().map(|e| e.path.as_str()).collect();
        let mut expected = KEYS.to_vec();
        expected.sort();
        assert_eq!(paths, expected);
    }

    #[test]
    fn merge_names_a_missing_shard() {
        let mut shards = split(&KEYS, 3);
        shards.remove(1);
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("no manifest for shard 2/3"), "{err}");
    }

    #[test]
    fn merge_names_a_job_without_output() {
        let mut shards = split(&KEYS, 2);
        let (_, shard) = &mut shards[0];
        let lost = shard.outputs.remove(0).path;
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("gap: 1 of shard 1/2's"), "{err}");
        assert!(err.contains(&lost), "{err}");
        assert!(err.contains("run shard 1/2 again"), "{err}");
    }

    #[test]
    fn merge_names_a_job_in_two_shards_with_different_bytes() {
        let mut shards = split(&KEYS, 2);
        let stolen = shards[0].1.outputs[0].clone();
        let mut changed = stolen.clone();
        changed.sha256 = "different".into();
        shards[1].1.jobs.push(stolen.path.clone());
        shards[1].1.jobs.sort();
        shards[1].1.outputs.push(changed);
        let err = merge(&shards).unwrap_err().to_string();
        assert!(
            err.contains(&format!("overlap: job {}", stolen.path)),
            "{err}"
        );
        assert!(err.contains("different contents"), "{err}");
    }

    #[test]
    fn merge_refuses_shards_of_different_runs_and_says_what_differs() {
        let mut shards = split(&KEYS, 2);
        shards[1] = split(&KEYS[..6], 2)[1].clone();
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("different runs"), "{err}");
        assert!(err.contains("the job list (8 jobs vs 6)"), "{err}");

        let mut shards = split(&KEYS, 2);
        shards[1] = split_dated(&KEYS, 2, Some(1_800_000_000))[1].clone();
        let err = merge(&shards).unwrap_err().to_string();
        assert!(
            err.contains("SOURCE_DATE_EPOCH (1700000000 vs 1800000000)"),
            "{err}"
        );
        assert!(err.contains(short(&shards[0].1.run.sha256)), "{err}");
        assert!(err.contains(short(&shards[1].1.run.sha256)), "{err}");
    }

    #[test]
    fn an_edited_run_identity_is_noticed() {
        let mut shards = split(&KEYS, 2);
        for (_, shard) in &mut shards {
            shard.run.source_date_epoch = Some(1);
        }
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("has been edited"), "{err}");
    }

    #[test]
    fn a_huge_shard_count_is_refused_in_a_short_message() {
        let mut shards = split(&KEYS, 1);
        shards[0].1.shard = Shard {
            index: 1,
            count: u32::MAX,
        };
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("N <= 10000"), "{err}");
        assert!(err.len() < 1000, "{} bytes", err.len());

        let mut shards = split(&KEYS, 1);
        shards[0].1.shard = Shard {
            index: 1,
            count: 9_000,
        };
        let err = merge(&shards).unwrap_err().to_string();
        assert!(err.contains("at most the number of jobs"), "{err}");
        assert!(err.len() < 2000, "{} bytes", err.len());
    }
}
