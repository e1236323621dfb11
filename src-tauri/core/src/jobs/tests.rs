use super::*;
use crate::clock::{Clock, ManualClock};
use rand::SeedableRng;
use std::sync::Arc;

async fn store() -> (Store, ManualClock, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::fixed();
    let store = Store::open_with_clock(dir.path(), Arc::new(clock.clone())).await.unwrap();
    (store, clock, dir)
}

fn job(key: Option<&str>) -> NewJob {
    NewJob {
        queue: "project_setup".into(),
        worker: "ProjectSetup".into(),
        args: Fields::from([("project_id".to_owned(), key.unwrap_or("p1").to_owned())]),
        priority: 1,
        max_attempts: 3,
        scheduled_at: None,
        unique: key.map(|k| Unique {
            key: format!("ProjectSetup:{k}"),
            period: Duration::seconds(300),
            states: vec![
                JobState::Available,
                JobState::Scheduled,
                JobState::Executing,
                JobState::Retryable,
            ],
        }),
    }
}

/// A job about no project (everyone may see it); its id.
async fn insert_maintenance(s: &Store) -> i64 {
    let mut maintenance = job(None);
    maintenance.args = Fields::new();
    insert(s, maintenance).await.unwrap().job.id
}

#[test]
fn backoff_grows_exponentially_within_its_jitter_and_cap() {
    let b = Backoff { base: Duration::seconds(10), max: Duration::seconds(100), jitter: 0.1 };
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    for (attempt, nominal) in
        [(1, 10_000), (2, 20_000), (3, 40_000), (4, 80_000), (5, 100_000), (40, 100_000)]
    {
        for _ in 0..50 {
            let d = b.delay(attempt, &mut rng).num_milliseconds();
            let (lo, hi) = (nominal * 9 / 10, nominal * 11 / 10);
            assert!((lo..=hi).contains(&d), "attempt {attempt}: {d} ms not in {lo}..={hi}");
        }
    }
    let no_jitter = Backoff { jitter: 0.0, ..b };
    assert_eq!(no_jitter.delay(2, &mut rng), Duration::seconds(20));
}

#[tokio::test]
async fn a_duplicate_within_the_window_returns_the_existing_job_as_a_conflict() {
    let (s, clock, _d) = store().await;
    let first = insert(&s, job(Some("p1"))).await.unwrap();
    assert!(!first.conflict);
    let again = insert(&s, job(Some("p1"))).await.unwrap();
    assert!(again.conflict);
    assert_eq!(again.job.id, first.job.id);
    // Another key is another job; the window closes after the period.
    assert!(!insert(&s, job(Some("p2"))).await.unwrap().conflict);
    clock.advance(Duration::seconds(301));
    assert!(!insert(&s, job(Some("p1"))).await.unwrap().conflict);
}

#[tokio::test]
async fn a_retryable_job_still_blocks_its_duplicate_but_a_finished_one_does_not() {
    let (s, _clock, _d) = store().await;
    let first = insert(&s, job(Some("p1"))).await.unwrap().job;
    claim(&s, "project_setup", 1).await.unwrap();
    let failed =
        fail(&s, first.id, FailureClass::Infrastructure, "network down", &Backoff::default())
            .await
            .unwrap();
    assert_eq!(failed.state, JobState::Retryable);
    assert!(insert(&s, job(Some("p1"))).await.unwrap().conflict, "retryable is a unique state");
    cancel(&s, first.id).await.unwrap();
    assert!(!insert(&s, job(Some("p1"))).await.unwrap().conflict, "cancelled is not");
}

#[tokio::test]
async fn claims_follow_priority_then_schedule_then_id_and_skip_future_jobs() {
    let (s, clock, _d) = store().await;
    let mut ids = Vec::new();
    for (priority, delay) in [(5, 0), (1, 0), (1, 0), (0, 60)] {
        let mut j = job(None);
        j.priority = priority;
        j.scheduled_at = Some(clock.now() + Duration::seconds(delay));
        ids.push(insert(&s, j).await.unwrap().job.id);
    }
    let scheduled = get_raw(&s, ids[3]).await;
    assert_eq!(scheduled.state, JobState::Scheduled);
    let claimed = claim(&s, "project_setup", 10).await.unwrap();
    assert_eq!(claimed.iter().map(|j| j.id).collect::<Vec<_>>(), [ids[1], ids[2], ids[0]]);
    assert!(claimed.iter().all(|j| j.state == JobState::Executing && j.attempt == 1));
    assert!(claim(&s, "project_setup", 10).await.unwrap().is_empty());
    clock.advance(Duration::seconds(60));
    assert_eq!(claim(&s, "project_setup", 10).await.unwrap()[0].id, ids[3]);
    assert!(claim(&s, "other_queue", 10).await.unwrap().is_empty());
}

async fn get_raw(s: &Store, id: i64) -> Job {
    let mut conn = s.pool().acquire().await.unwrap();
    fetch(&mut conn, id).await.unwrap()
}

#[tokio::test]
async fn failures_retry_with_backoff_until_attempts_are_spent_then_discard() {
    let (s, clock, _d) = store().await;
    let id = insert(&s, job(None)).await.unwrap().job.id;
    let backoff = Backoff { base: Duration::seconds(10), max: Duration::hours(1), jitter: 0.0 };
    for attempt in 1..=3 {
        let claimed = claim(&s, "project_setup", 1).await.unwrap();
        assert_eq!((claimed.len(), claimed[0].attempt), (1, attempt), "attempt {attempt} runs");
        let j = fail(&s, id, FailureClass::Infrastructure, &format!("boom {attempt}"), &backoff)
            .await
            .unwrap();
        if attempt < 3 {
            assert_eq!(j.state, JobState::Retryable);
            assert!(
                claim(&s, "project_setup", 1).await.unwrap().is_empty(),
                "not before its backoff"
            );
            clock.advance(backoff.delay(attempt, &mut rand::thread_rng()));
        } else {
            assert_eq!(j.state, JobState::Discarded);
            assert!(j.discarded_at.is_some());
        }
    }
    let j = get_raw(&s, id).await;
    let errors: Vec<(i64, &str)> = j.errors.iter().map(|e| (e.attempt, e.error.as_str())).collect();
    assert_eq!(errors, [(1, "boom 1"), (2, "boom 2"), (3, "boom 3")]);
}

#[tokio::test]
async fn a_step_failure_is_discarded_without_a_retry() {
    let (s, _clock, _d) = store().await;
    let id = insert(&s, job(None)).await.unwrap().job.id;
    claim(&s, "project_setup", 1).await.unwrap();
    let j =
        fail(&s, id, FailureClass::Step, "mix compile failed", &Backoff::default()).await.unwrap();
    assert_eq!((j.state, j.attempt), (JobState::Discarded, 1));
    assert_eq!(j.errors[0].class, FailureClass::Step);
}

#[tokio::test]
async fn cancel_and_manual_retry() {
    let (s, _clock, _d) = store().await;
    let id = insert(&s, job(None)).await.unwrap().job.id;
    let j = cancel(&s, id).await.unwrap();
    assert_eq!(j.state, JobState::Cancelled);
    let err = cancel(&s, id).await.unwrap_err();
    assert_eq!(err.code(), crate::Code::AlreadyCompleted);
    let j = retry(&s, id).await.unwrap();
    assert_eq!(j.state, JobState::Available);
    let err = retry(&s, id).await.unwrap_err();
    assert_eq!(err.code(), crate::Code::Conflict, "an available job is not retried");
    // A job that spent its attempts gets one more.
    for _ in 0..3 {
        claim(&s, "project_setup", 1).await.unwrap();
        fail(&s, id, FailureClass::Infrastructure, "x", &Backoff::immediate()).await.unwrap();
    }
    let j = retry(&s, id).await.unwrap();
    assert_eq!((j.attempt, j.max_attempts), (3, 4));
    // Cancelling an executing job keeps it cancelled when its attempt ends.
    claim(&s, "project_setup", 1).await.unwrap();
    cancel(&s, id).await.unwrap();
    assert_eq!(complete(&s, id).await.unwrap().state, JobState::Cancelled);
}

#[tokio::test]
async fn orphans_are_rescued_and_finished_jobs_pruned() {
    let (s, clock, _d) = store().await;
    let a = insert(&s, job(None)).await.unwrap().job.id;
    let mut last = job(None);
    last.max_attempts = 1;
    let b = insert(&s, last).await.unwrap().job.id;
    claim(&s, "project_setup", 2).await.unwrap();
    let rescued = rescue_orphans(&s).await.unwrap();
    let states: Vec<(i64, JobState)> = rescued.iter().map(|j| (j.id, j.state)).collect();
    assert_eq!(states, [(a, JobState::Retryable), (b, JobState::Discarded)]);
    assert_eq!(rescued[0].errors[0].class, FailureClass::Orphaned);
    assert_eq!(
        claim(&s, "project_setup", 5).await.unwrap()[0].id,
        a,
        "rescued jobs run again at once"
    );
    complete(&s, a).await.unwrap();
    clock.advance(Duration::days(1));
    assert_eq!(prune(&s, Duration::days(2)).await.unwrap(), 0);
    clock.advance(Duration::days(2));
    assert_eq!(prune(&s, Duration::days(2)).await.unwrap(), 2);
}

#[tokio::test]
async fn queues_pause_and_take_a_concurrency() {
    let (s, _clock, _d) = store().await;
    assert_eq!(
        queue(&s, "project_setup").await.unwrap(),
        Queue { name: "project_setup".into(), paused: false, concurrency: 1 }
    );
    assert!(set_paused(&s, "project_setup", true).await.unwrap().paused);
    assert_eq!(set_concurrency(&s, "project_setup", 3).await.unwrap().concurrency, 3);
    assert_eq!(
        set_concurrency(&s, "project_setup", 0).await.unwrap_err().code(),
        crate::Code::InvalidInput
    );
    assert_eq!(set_paused(&s, "nope", true).await.unwrap_err().code(), crate::Code::NotFound);
}

#[tokio::test]
async fn a_hundred_concurrent_inserts_of_one_unique_job_leave_one_row() {
    let (s, _clock, _d) = store().await;
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { insert(&s, job(Some("p1"))).await })
        })
        .collect();
    let mut fresh = 0;
    for t in tasks {
        if !t.await.unwrap().unwrap().conflict {
            fresh += 1;
        }
    }
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(s.pool()).await.unwrap();
    assert_eq!((fresh, rows), (1, 1));
}

#[tokio::test]
async fn insert_all_is_one_transaction_that_keeps_uniqueness() {
    let (s, _clock, _d) = store().await;
    let all = insert_all(&s, vec![job(Some("p1")), job(Some("p1")), job(Some("p2")), job(None)])
        .await
        .unwrap();
    let conflicts: Vec<bool> = all.iter().map(|i| i.conflict).collect();
    assert_eq!(conflicts, [false, true, false, false]);
    assert_eq!(all[0].job.id, all[1].job.id);
    let bad = NewJob { priority: 10, ..job(None) };
    let err = insert_all(&s, vec![job(Some("p3")), bad]).await.unwrap_err();
    assert_eq!((err.code(), err.field()), (crate::Code::InvalidInput, Some("priority")));
    let rows: i64 =
        sqlx::query_scalar("SELECT count(*) FROM jobs").fetch_one(s.pool()).await.unwrap();
    assert_eq!(rows, 3, "the failed batch left nothing behind");
}

#[tokio::test]
async fn an_inserted_job_is_returned_as_it_is_stored() {
    let (s, clock, _d) = store().await;
    let mut later = job(None);
    later.scheduled_at = Some(clock.now() + Duration::seconds(5));
    for new in [job(None), job(Some("k")), later] {
        let inserted = insert(&s, new).await.unwrap().job;
        assert_eq!(inserted, get_raw(&s, inserted.id).await);
    }
}

#[tokio::test]
async fn every_change_of_a_job_is_numbered_for_followers_in_other_processes() {
    let (s, _clock, _dir) = store().await;
    let (none, start) = changed_after(&s, &AccountId::new(), 0).await.unwrap();
    assert!(none.is_empty());
    let id = insert_maintenance(&s).await;
    let (seen, after_insert) = changed_after(&s, &AccountId::new(), start).await.unwrap();
    assert_eq!(seen.iter().map(|j| j.id).collect::<Vec<_>>(), [id]);
    claim(&s, "project_setup", 1).await.unwrap();
    let (seen, after_claim) = changed_after(&s, &AccountId::new(), after_insert).await.unwrap();
    assert_eq!((seen.len(), seen[0].state), (1, JobState::Executing));
    assert!(after_claim > after_insert);
    let (seen, same) = changed_after(&s, &AccountId::new(), after_claim).await.unwrap();
    assert!(seen.is_empty() && same == after_claim, "nothing new");
}

#[tokio::test]
async fn a_step_that_ends_after_its_job_was_cancelled_still_reaches_followers() {
    let (s, _clock, _dir) = store().await;
    let id = insert_maintenance(&s).await;
    claim(&s, "project_setup", 1).await.unwrap();
    let (_, claimed) = changed_after(&s, &AccountId::new(), 0).await.unwrap();
    sqlx::query(
        "INSERT INTO job_steps (job_id, attempt, position, status, command, started_at) \
         VALUES (?, 1, 0, 'deps_fetching', 'mix deps.get', '2026-12-07T00:00:00Z')",
    )
    .bind(id)
    .execute(s.pool())
    .await
    .unwrap();
    let (seen, started) = changed_after(&s, &AccountId::new(), claimed).await.unwrap();
    assert_eq!(seen.iter().map(|j| j.id).collect::<Vec<_>>(), [id], "a step that starts");
    let mut tx = s.write().await.unwrap();
    cancel_in(&mut tx, &s, id).await.unwrap();
    tx.commit().await.unwrap();
    let (_, cancelled) = changed_after(&s, &AccountId::new(), started).await.unwrap();
    // The runner kills the step's process and records its end after the cancel.
    sqlx::query("UPDATE job_steps SET outcome = 'cancelled', finished_at = ? WHERE job_id = ?")
        .bind("2026-12-07T00:00:01Z")
        .bind(id)
        .execute(s.pool())
        .await
        .unwrap();
    let (seen, ended) = changed_after(&s, &AccountId::new(), cancelled).await.unwrap();
    assert_eq!(
        (seen.iter().map(|j| (j.id, j.state)).collect::<Vec<_>>(), ended > cancelled),
        (vec![(id, JobState::Cancelled)], true),
        "the step's end is a change of its (cancelled) job"
    );
}

async fn account(s: &Store, email: &str) -> AccountId {
    let new = crate::accounts::NewAccount {
        email: email.into(),
        password: crate::Secret::new("a long password"),
        name: None,
    };
    crate::accounts::create(s, new).await.unwrap().id
}

async fn add_logs(s: &Store, job_id: i64, n: i64) {
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?2) \
         INSERT INTO job_logs (job_id, attempt, position, stream, line, at) \
         SELECT ?1, 1, 1, 'stdout', 'line ' || i, '2025-01-01T00:00:00Z' FROM n",
    )
    .bind(job_id)
    .bind(n)
    .execute(s.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn a_jobs_detail_is_the_job_its_steps_and_the_end_of_its_log_for_members_only() {
    let (s, _clock, _dir) = store().await;
    let ada = account(&s, "ada@example.com").await;
    let bob = account(&s, "bob@example.com").await;
    let project = crate::projects::create(
        &s,
        &ada,
        crate::projects::NewProject { name: "shop".into(), ..Default::default() },
    )
    .await
    .unwrap();
    let id = insert(&s, job(Some(&project.id.to_string()))).await.unwrap().job.id;
    for (position, command) in [(2, "mix test"), (1, "mix deps.get")] {
        sqlx::query(
            "INSERT INTO job_steps (job_id, attempt, position, status, command, started_at) \
             VALUES (?, 1, ?, 'testing', ?, '2025-01-01T00:00:00Z')",
        )
        .bind(id)
        .bind(position)
        .bind(command)
        .execute(s.pool())
        .await
        .unwrap();
    }
    add_logs(&s, id, 7).await;

    let shown = detail(&s, &ada, id, 5).await.unwrap();
    assert_eq!(shown.job, get(&s, &ada, id).await.unwrap());
    let commands: Vec<_> = shown.steps.iter().map(|st| st.command.as_str()).collect();
    assert_eq!(commands, ["mix deps.get", "mix test"], "in order");
    let lines: Vec<_> = shown.log.iter().map(|l| l.line.as_str()).collect();
    assert_eq!(
        lines,
        ["line 3", "line 4", "line 5", "line 6", "line 7"],
        "the last 5, oldest first"
    );
    let all = detail(&s, &ada, id, MAX_LOG_LINES).await.unwrap();
    assert_eq!(all.log.len(), 7, "a short log whole");
    assert_eq!(detail(&s, &ada, id, 0).await.unwrap().log.len(), 1, "at least one line");

    // Another profile, not a member of the project, cannot see the job at all.
    let err = detail(&s, &bob, id, DETAIL_LOG_LINES).await.unwrap_err();
    assert!(matches!(err, Error::NotFound { entity: "job" }), "{err:?}");
    assert!(matches!(
        detail(&s, &ada, id + 1, DETAIL_LOG_LINES).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn a_log_longer_than_the_most_a_detail_carries_shows_its_end() {
    let (s, _clock, _dir) = store().await;
    let id = insert_maintenance(&s).await;
    add_logs(&s, id, MAX_LOG_LINES + 5).await;
    let log = detail(&s, &AccountId::new(), id, MAX_LOG_LINES + 100).await.unwrap().log;
    assert_eq!(log.len() as i64, MAX_LOG_LINES, "never more than the most");
    assert_eq!(log.first().unwrap().line, "line 6");
    assert_eq!(log.last().unwrap().line, format!("line {}", MAX_LOG_LINES + 5));
    let window = detail(&s, &AccountId::new(), id, DETAIL_LOG_LINES).await.unwrap().log;
    assert_eq!(window.len() as i64, DETAIL_LOG_LINES);
    assert_eq!(window.last(), log.last());
}
