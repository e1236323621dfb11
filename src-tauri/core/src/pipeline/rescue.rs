//! Stopping what a step left running when the process that ran it died (a crash, SIGKILL):
//! only processes that can be proven to be the step's are stopped, never a program of the
//! user's that got the same ids (docs/PIPELINE.md, "Rescue only what is provably ours").
//!
//! A step runs in its own process group, and the job records the group id, the identity of
//! its leader (boot id and start time) and a mark unique to that run of the step, which the
//! step gets in its environment (and every process it starts inherits).
//! - While the leader lives, it must still be the recorded process: then the whole group is
//!   the step's and is killed.
//! - Once the leader is gone, its group can still hold the step's children. Each live
//!   member is killed only if it is proven the step's: in the recorded group, in the same
//!   boot, started no earlier than the recorded leader, and carrying the step's mark in its
//!   environment. Any other member is left alone.

use super::process;

/// The variable every step gets, set to a value unique to that run of the step: the
/// processes it starts inherit it, which tells them apart from anyone else's.
pub const STEP_MARK: &str = "CODEMYSPEC_STEP";

/// A fresh mark for one run of a step.
pub fn new_mark() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// What a job recorded about its running step.
#[derive(Debug, Clone, Copy)]
pub struct Recorded<'a> {
    pub pgid: u32,
    /// The leader's [`process::identity`].
    pub identity: &'a str,
    /// The step's mark ([`STEP_MARK`]); jobs recorded before marks existed have none.
    pub mark: Option<&'a str>,
}

/// What a rescue did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Rescue {
    /// The leader was the recorded process: the whole group was killed.
    pub group_killed: bool,
    /// The leader was gone: these members were proven the step's and killed.
    pub killed: Vec<u32>,
    /// Live processes of the group that are not provably the step's.
    pub left_alone: Vec<u32>,
}

/// Stops what is left of the recorded step (see the module's rules).
pub fn stop_leftovers(recorded: &Recorded) -> Rescue {
    let mut rescue = Rescue::default();
    if recorded.pgid == 0 {
        return rescue;
    }
    if process::kill_group_if_ours(recorded.pgid, recorded.identity) {
        rescue.group_killed = true;
        return rescue;
    }
    let members = live_members(recorded.pgid);
    if process::identity(recorded.pgid).is_some() {
        // A process with the leader's id but another identity: the id is someone else's
        // now, and so is its group.
        rescue.left_alone = members;
        return rescue;
    }
    for pid in members {
        if provably_the_steps(pid, recorded) && kill(pid) {
            rescue.killed.push(pid);
        } else {
            rescue.left_alone.push(pid);
        }
    }
    rescue
}

/// `<boot id>:<start ticks>` split in two.
fn parts(identity: &str) -> Option<(&str, u64)> {
    let (boot, start) = identity.rsplit_once(':')?;
    Some((boot, start.parse().ok()?))
}

fn provably_the_steps(pid: u32, recorded: &Recorded) -> bool {
    let (Some(mark), Some((boot, leader_start))) = (recorded.mark, parts(recorded.identity)) else {
        return false;
    };
    let Some(identity) = process::identity(pid) else { return false };
    let started_with_the_step =
        parts(&identity).is_some_and(|(b, start)| b == boot && start >= leader_start);
    started_with_the_step
        && environment_has(pid, &format!("{STEP_MARK}={mark}"))
        // Still the same process after reading its environment (not exited and replaced).
        && process::identity(pid).as_deref() == Some(identity.as_str())
}

/// The live (not zombie) processes whose process group is `pgid`.
#[cfg(target_os = "linux")]
fn live_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    let mut pids: Vec<u32> = entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                return false;
            };
            // After the command name: state (field 3), ppid (4), pgrp (5).
            let Some((_, rest)) = stat.rsplit_once(')') else { return false };
            let fields: Vec<&str> = rest.split_whitespace().take(3).collect();
            matches!(fields.as_slice(), [state, _, pgrp]
                if !matches!(*state, "Z" | "X") && pgrp.parse::<u32>().ok() == Some(pgid))
        })
        .collect();
    pids.sort_unstable();
    pids
}

#[cfg(not(target_os = "linux"))]
fn live_members(_pgid: u32) -> Vec<u32> {
    Vec::new()
}

/// Whether `pid`'s environment holds exactly the entry `entry` (`NAME=value`).
fn environment_has(pid: u32, entry: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|b| *b == 0).any(|e| e == entry.as_bytes()))
}

fn kill(pid: u32) -> bool {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        return pid > 0
            && nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            )
            .is_ok();
    }
    false
}
