use super::*;
use crate::clock::{Clock, ManualClock};
use crate::jobs::{Fields, JobState, NewJob};
use crate::pipeline::{process, rescue};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

struct Setup {
    store: Store,
    events: Broadcaster,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::fixed();
    let store = Store::open_with_clock(dir.path(), Arc::new(clock.clone())).await.unwrap();
    Setup { store, events: Broadcaster::new(), clock, _dir: dir }
}

fn config() -> RunnerConfig {
    RunnerConfig {
        queues: vec!["q".into()],
        poll: Duration::from_millis(50),
        backoff: Backoff {
            base: ChronoDuration::seconds(30),
            max: ChronoDuration::hours(1),
            jitter: 0.0,
        },
        retention: ChronoDuration::days(14),
    }
}

async fn add_queue(store: &Store, concurrency: i64) {
    sqlx::query("INSERT INTO queues (name, paused, concurrency) VALUES ('q', 0, ?)")
        .bind(concurrency)
        .execute(store.pool())
        .await
        .unwrap();
}

fn job(worker: &str) -> NewJob {
    NewJob {
        queue: "q".into(),
        worker: worker.into(),
        args: Fields::new(),
        priority: 0,
        max_attempts: 3,
        scheduled_at: None,
        unique: None,
    }
}

/// Waits (polling) until the job reaches `state`.
async fn wait_for(store: &Store, id: i64, state: JobState) -> Job {
    let started = Instant::now();
    loop {
        let mut conn = store.pool().acquire().await.unwrap();
        let job = jobs::fetch(&mut conn, id).await.unwrap();
        if job.state == state {
            return job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "job {id} stuck in {} (waiting for {state})",
            job.state
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_new_job_runs_at_once_and_completes() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Count", move |_run| {
            let counter = counter.clone();
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .start()
        .await
        .unwrap();
    let mut changes = s.events.subscribe_to_jobs();
    let id = jobs::insert(&s.store, job("Count")).await.unwrap().job.id;
    let done = wait_for(&s.store, id, JobState::Completed).await;
    assert_eq!((done.attempt, ran.load(Ordering::SeqCst)), (1, 1));
    // The event follows the database write: wait for it rather than race it.
    let mut states = Vec::new();
    while states.last() != Some(&JobState::Completed) {
        match tokio::time::timeout(Duration::from_secs(10), changes.recv()).await {
            Ok(Ok(JobEvent::JobChanged { job })) => states.push(job.state),
            Ok(Ok(_)) => {}
            other => panic!("no Completed event after {states:?}: {other:?}"),
        }
    }
    assert_eq!(states, [JobState::Executing, JobState::Completed]);
    handle.stop().await;
}

#[tokio::test]
async fn a_queue_runs_no_more_than_its_concurrency_and_waits_while_paused() {
    let s = setup().await;
    add_queue(&s.store, 2).await;
    let now_running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let (r, p) = (now_running.clone(), peak.clone());
    jobs::set_paused(&s.store, "q", true).await.unwrap();
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Slow", move |_run| {
            let (r, p) = (r.clone(), p.clone());
            async move {
                let n = r.fetch_add(1, Ordering::SeqCst) + 1;
                p.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(60)).await;
                r.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .start()
        .await
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..6 {
        ids.push(jobs::insert(&s.store, job("Slow")).await.unwrap().job.id);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(peak.load(Ordering::SeqCst), 0, "a paused queue starts nothing");
    jobs::set_paused(&s.store, "q", false).await.unwrap();
    for id in ids {
        wait_for(&s.store, id, JobState::Completed).await;
    }
    assert_eq!(peak.load(Ordering::SeqCst), 2);
    handle.stop().await;
}

#[tokio::test]
async fn an_infrastructure_failure_is_retried_after_its_backoff_then_discarded() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Flaky", |run: JobRun| async move {
            Err(JobFailure::new(
                FailureClass::Infrastructure,
                format!("network down on attempt {}", run.job.attempt),
            ))
        })
        .start()
        .await
        .unwrap();
    let id = jobs::insert(&s.store, job("Flaky")).await.unwrap().job.id;
    let first = wait_for(&s.store, id, JobState::Retryable).await;
    assert_eq!(first.attempt, 1);
    // The runner waits for the backoff on the injected clock, not on the wall clock.
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(
        wait_for(&s.store, id, JobState::Retryable).await.attempt,
        1,
        "not before 30 s have passed"
    );
    s.clock.advance(ChronoDuration::seconds(30));
    handle.wake();
    let second = loop {
        let j = wait_for(&s.store, id, JobState::Retryable).await;
        if j.attempt == 2 {
            break j;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let due = crate::clock::parse_ts(&second.scheduled_at).unwrap();
    assert_eq!(due - s.clock.now(), ChronoDuration::seconds(60), "the second wait doubles");
    s.clock.advance(ChronoDuration::seconds(60));
    handle.wake();
    let last = wait_for(&s.store, id, JobState::Discarded).await;
    let errors: Vec<&str> = last.errors.iter().map(|e| e.error.as_str()).collect();
    assert_eq!(
        errors,
        ["network down on attempt 1", "network down on attempt 2", "network down on attempt 3"]
    );
    handle.stop().await;
}

#[tokio::test]
async fn cancelling_a_running_job_fires_its_token() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Wait", |run: JobRun| async move {
            run.cancel.cancelled().await;
            Err(JobFailure::new(FailureClass::Cancelled, "stopped"))
        })
        .start()
        .await
        .unwrap();
    let id = jobs::insert(&s.store, job("Wait")).await.unwrap().job.id;
    wait_for(&s.store, id, JobState::Executing).await;
    jobs::cancel(&s.store, id).await.unwrap();
    let j = wait_for(&s.store, id, JobState::Cancelled).await;
    // The attempt's end is recorded on the cancelled job.
    let started = Instant::now();
    let mut j = j;
    while j.errors.is_empty() && started.elapsed() < Duration::from_secs(5) {
        tokio::time::sleep(Duration::from_millis(10)).await;
        j = wait_for(&s.store, id, JobState::Cancelled).await;
    }
    assert_eq!(j.errors[0].class, FailureClass::Cancelled);
    handle.stop().await;
}

#[tokio::test]
async fn one_runner_per_data_dir_and_the_next_one_rescues_orphans() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let first = Runner::new(&s.store, &s.events, config()).start().await.unwrap();
    let err = Runner::new(&s.store, &s.events, config()).start().await.err().expect("locked");
    assert_eq!(err.code(), crate::Code::Unavailable);
    assert!(err.to_string().contains(&std::process::id().to_string()), "{err}");
    first.stop().await;

    // A job left executing (its process died) runs again under the next runner, in the
    // work dir its attempt left.
    let id = jobs::insert(&s.store, job("Ok")).await.unwrap().job.id;
    jobs::claim(&s.store, "q", 1).await.unwrap();
    let work = jobs::work_dir(&s.store, id);
    std::fs::create_dir_all(&work).unwrap();
    let second = Runner::new(&s.store, &s.events, config())
        .worker("Ok", |_run| async { Ok(()) })
        .start()
        .await
        .unwrap();
    let j = wait_for(&s.store, id, JobState::Completed).await;
    assert_eq!((j.attempt, j.errors[0].class), (2, FailureClass::Orphaned));
    assert!(work.is_dir(), "the orphan's work dir is kept for its next attempt");
    second.stop().await;
}

/// A job left executing with `pgid` and `identity` (and the step's `mark`) recorded as its
/// step's group, rescued by a runner that starts (and then completes it).
#[cfg(target_os = "linux")]
async fn rescue_a_job_recorded_with(s: &Setup, pgid: u32, identity: &str, mark: Option<&str>) {
    let id = jobs::insert(&s.store, job("Ok")).await.unwrap().job.id;
    jobs::claim(&s.store, "q", 1).await.unwrap();
    let pgid = pgid.to_string();
    let recorded =
        [("pgid", Some(pgid.as_str())), ("pgid_identity", Some(identity)), ("pgid_mark", mark)];
    jobs::set_meta(&s.store, id, &recorded).await.unwrap();
    let runner = Runner::new(&s.store, &s.events, config())
        .worker("Ok", |_run| async { Ok(()) })
        .start()
        .await
        .unwrap();
    wait_for(&s.store, id, JobState::Completed).await;
    runner.stop().await;
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_rescue_leaves_alone_a_process_that_only_has_the_recorded_id() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    // A program of the user's, in its own group, whose id the database names as the step's
    // group — but recorded with another start time (as after a reboot or an id reuse).
    let mut theirs = std::process::Command::new("sleep");
    std::os::unix::process::CommandExt::process_group(theirs.arg("300"), 0);
    let mut theirs = theirs.spawn().unwrap();
    let pgid = theirs.id();
    let real = process::identity(pgid).expect("a live process has an identity");
    let (boot, _) = real.split_once(':').unwrap();
    let stale = format!("{boot}:1");
    rescue_a_job_recorded_with(&s, pgid, &stale, None).await;
    assert!(process::group_alive(pgid), "the user's program survived the rescue");
    assert_eq!(theirs.try_wait().unwrap(), None, "still running");

    // The same group recorded with its real identity is ours, and is stopped.
    rescue_a_job_recorded_with(&s, pgid, &real, None).await;
    let status = theirs.wait().unwrap();
    assert!(!status.success(), "our recorded step was killed: {status:?}");
}

/// Whether `pid` runs (a zombie, dead and waiting to be reaped, does not).
#[cfg(target_os = "linux")]
fn running(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|stat| stat.rsplit_once(')').map(|(_, rest)| rest.trim_start().to_owned()))
        .is_some_and(|rest| !rest.starts_with(['Z', 'X']))
}

/// Waits a while for `pid` to stop running; whether it did.
#[cfg(target_os = "linux")]
async fn stops(pid: u32) -> bool {
    for _ in 0..100 {
        if !running(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    false
}

/// A group like a step's whose leader exited and left a child running, as `sh -c 'sleep &
/// …'` does: its id, its dead leader's identity, and the child's pid. `mark` is put in its
/// environment as a step's run mark.
#[cfg(target_os = "linux")]
fn group_with_a_dead_leader(mark: Option<&str>) -> (u32, String, u32) {
    use std::io::BufRead;
    use std::os::unix::process::CommandExt;
    let mut sh = std::process::Command::new("sh");
    sh.args(["-c", "sleep 300 > /dev/null & echo $!; read _"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .process_group(0);
    if let Some(mark) = mark {
        sh.env(rescue::STEP_MARK, mark);
    }
    let mut leader = sh.spawn().unwrap();
    let pgid = leader.id();
    let identity = process::identity(pgid).expect("a live process has an identity");
    let mut line = String::new();
    std::io::BufReader::new(leader.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let child: u32 = line.trim().parse().unwrap();
    drop(leader.stdin.take()); // `read` ends: the leader exits…
    leader.wait().unwrap(); // …and is reaped: gone for good
    assert_eq!(process::identity(pgid), None, "the leader is gone");
    assert!(running(child) && process::group_alive(pgid), "its child runs on in its group");
    (pgid, identity, child)
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_rescue_stops_what_a_step_left_in_its_group_after_its_leader_died_and_nothing_else() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let mark = rescue::new_mark();
    let (pgid, identity, child) = group_with_a_dead_leader(Some(&mark));
    // The user's programs: a group of the same shape without the step's mark, and one with
    // it but recorded with a leader that started after it (as when the id was reused).
    let (their_pgid, their_identity, their_child) = group_with_a_dead_leader(None);
    let (earlier_pgid, earlier_identity, earlier_child) = group_with_a_dead_leader(Some(&mark));
    let (boot, start) = earlier_identity.rsplit_once(':').unwrap();
    let later_leader = format!("{boot}:{}", start.parse::<u64>().unwrap() + 1_000_000);
    let other_boot = format!("{}:{start}", "0".repeat(boot.len()));

    rescue_a_job_recorded_with(&s, their_pgid, &their_identity, Some(&mark)).await;
    rescue_a_job_recorded_with(&s, earlier_pgid, &later_leader, Some(&mark)).await;
    rescue_a_job_recorded_with(&s, earlier_pgid, &other_boot, Some(&mark)).await;
    // Recorded before steps had marks: nothing proves the child is the step's.
    rescue_a_job_recorded_with(&s, pgid, &identity, None).await;
    assert!(running(child), "a child without a recorded mark is left alone");
    rescue_a_job_recorded_with(&s, pgid, &identity, Some(&mark)).await;

    assert!(stops(child).await, "the step's child was stopped by the rescue");
    assert!(!codemyspec_tests::group_running(pgid as i32), "nothing of the step's group runs");
    assert!(running(their_child), "the user's unmarked program survived");
    assert!(running(earlier_child), "a process older than the recorded leader survived");
    for pid in [their_child, earlier_child] {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

#[tokio::test]
async fn stopping_the_runner_interrupts_running_jobs_for_the_next_start() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Wait", |run: JobRun| async move {
            run.cancel.cancelled().await;
            Err(JobFailure::new(FailureClass::Cancelled, "interrupted"))
        })
        .start()
        .await
        .unwrap();
    let id = jobs::insert(&s.store, job("Wait")).await.unwrap().job.id;
    let running = wait_for(&s.store, id, JobState::Executing).await;
    handle.stop().await;
    let j = wait_for(&s.store, id, JobState::Retryable).await;
    assert_eq!(j.errors[0].class, FailureClass::Interrupted);
    assert_eq!(
        j.max_attempts - j.attempt,
        running.max_attempts - running.attempt + 1,
        "a stop asked for gives its attempt back"
    );
    assert_eq!(j.scheduled_at, s.store.now(), "due again at once");
}

#[tokio::test]
async fn a_job_cancelled_and_retried_at_once_never_runs_twice_at_the_same_time() {
    let s = setup().await;
    add_queue(&s.store, 2).await;
    let live = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (l, m) = (live.clone(), most.clone());
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Wait", move |run: JobRun| {
            let (live, most) = (l.clone(), m.clone());
            async move {
                let now = live.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // The first attempt waits for its cancel and then takes its time to wind
                // down, as a killed process group does; later attempts finish.
                if run.job.attempt == 1 {
                    run.cancel.cancelled().await;
                    tokio::time::sleep(Duration::from_millis(300)).await;
                }
                live.fetch_sub(1, Ordering::SeqCst);
                if run.job.attempt == 1 {
                    Err(JobFailure::new(FailureClass::Cancelled, "cancelled"))
                } else {
                    Ok(())
                }
            }
        })
        .start()
        .await
        .unwrap();
    let id = jobs::insert(&s.store, job("Wait")).await.unwrap().job.id;
    wait_for(&s.store, id, JobState::Executing).await;
    // Cancel and retry from the database, as another process would, before the runner's
    // next poll.
    jobs::cancel(&s.store, id).await.unwrap();
    jobs::retry(&s.store, id).await.unwrap();
    let j = wait_for(&s.store, id, JobState::Completed).await;
    assert_eq!(j.attempt, 2);
    assert_eq!(most.load(Ordering::SeqCst), 1, "the retry waited for the cancelled attempt");
    handle.stop().await;
}

#[tokio::test]
async fn a_job_without_a_worker_is_discarded() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let handle = Runner::new(&s.store, &s.events, config()).start().await.unwrap();
    let id = jobs::insert(&s.store, job("Nobody")).await.unwrap().job.id;
    let j = wait_for(&s.store, id, JobState::Discarded).await;
    assert!(j.errors[0].error.contains("no worker"), "{:?}", j.errors);
    handle.stop().await;
}

#[tokio::test]
async fn an_attempt_ending_while_another_process_holds_the_database_is_recorded_once_it_is_free() {
    use sqlx::Connection;
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let gate = Arc::new(tokio::sync::Notify::new());
    let g = gate.clone();
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Gated", move |_run: JobRun| {
            let g = g.clone();
            async move {
                g.notified().await;
                Ok(())
            }
        })
        .start()
        .await
        .unwrap();
    let id = jobs::insert(&s.store, job("Gated")).await.unwrap().job.id;
    wait_for(&s.store, id, JobState::Executing).await;
    // Another process takes the write lock and keeps it past the store's busy timeout (10 s).
    let db = s.store.data_dir().join(crate::store::DB_FILE);
    let mut other =
        sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display())).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    gate.notify_one();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let mut conn = s.store.pool().acquire().await.unwrap();
    assert_eq!(jobs::fetch(&mut conn, id).await.unwrap().state, JobState::Executing);
    drop(conn);
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    let j = wait_for(&s.store, id, JobState::Completed).await;
    assert!(j.errors.is_empty(), "{:?}", j.errors);
    handle.stop().await;
}

#[tokio::test]
async fn a_settle_check_runs_at_start_and_after_each_attempt_of_its_own_worker_only() {
    let s = setup().await;
    add_queue(&s.store, 1).await;
    let checks = Arc::new(AtomicUsize::new(0));
    let c = checks.clone();
    let handle = Runner::new(&s.store, &s.events, config())
        .worker("Setup", |_run| async { Ok(()) })
        .worker("Other", |_run| async { Ok(()) })
        .after_each("Setup", move |_store, _events| {
            let c = c.clone();
            async move {
                c.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        })
        .start()
        .await
        .unwrap();
    assert_eq!(checks.load(Ordering::SeqCst), 1, "once at start");
    let other = jobs::insert(&s.store, job("Other")).await.unwrap().job.id;
    wait_for(&s.store, other, JobState::Completed).await;
    let setup = jobs::insert(&s.store, job("Setup")).await.unwrap().job.id;
    wait_for(&s.store, setup, JobState::Completed).await;
    let started = Instant::now();
    while checks.load(Ordering::SeqCst) < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the check after the attempt never ran"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    handle.stop().await;
    assert_eq!(checks.load(Ordering::SeqCst), 2, "not after the other worker's job");
}
