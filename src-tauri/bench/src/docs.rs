//! The docs sync's figures (issue 10): a spec of 10,000 entities (6,000 stories, 2,000
//! contexts, 2,000 components) kept in step with a docs repository on a local smart-HTTP git
//! server (tests/support/git_http_server.py, `git http-backend` behind HTTP Basic auth).
//! Printed: the first sync (the whole spec published), an unchanged sync (goal: no commit,
//! < 200 ms), 10 edited stories among the 10,000 and 1,000 edits in one sync (goal: a cost
//! that follows the change, not the spec's size). The same run against the same kind of bare
//! repository through libgit2's local transport (`file://`) is printed beside each: the
//! core's own cost, without the stand-in's HTTP. Issue 22: the 10 edits' cost above an
//! unchanged sync over `file://` (goal ≤ 5 ms), and the one-time move of a repository an
//! older version left flat into sub-folders. Figures only.

use crate::github::Memory;
use crate::report::{Report, Timing};
use crate::seed;
use codemyspec_core::docs_sync::{self, SyncReport};
use codemyspec_core::pipeline::publish;
use codemyspec_core::projects::{self, NewProject};
use codemyspec_core::secrets::SecretStore;
use codemyspec_core::store::new_id;
use codemyspec_core::stories::{self, NewStory, StoryChanges};
use codemyspec_core::AccountId;
use codemyspec_core::ProjectId;
use codemyspec_core::StoryId;
use codemyspec_core::{Error, Result, Secret, Store};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const STORIES: usize = 6_000;
const CONTEXTS: usize = 2_000;
const COMPONENTS: usize = 2_000;
const ENTITIES: usize = STORIES + CONTEXTS + COMPONENTS;
const TOKEN: &str = "ghp_bench_docs";
/// Repetitions of the cheap syncs (the median and the worst are printed).
const RUNS: usize = 7;
/// Stories edited before each of the "10 changed" syncs.
const FEW: usize = 10;

fn io(context: &str) -> impl Fn(std::io::Error) -> Error + '_ {
    move |source| Error::Io { context: context.to_owned(), source }
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// `tests/support/git_http_server.py`: bare repositories under a root, a token as the
/// password, like GitHub over HTTPS.
struct GitServer {
    child: Child,
    port: u16,
}

impl GitServer {
    fn start(root: &Path) -> Result<GitServer> {
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/git_http_server.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(root)
            .arg(TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(io("cannot start the git server (python3)"))?;
        let mut line = String::new();
        std::io::BufReader::new(
            child.stdout.take().ok_or_else(|| Error::Internal("no stdout".into()))?,
        )
        .read_line(&mut line)
        .map_err(io("cannot read the git server's port"))?;
        let port = line
            .trim()
            .parse()
            .map_err(|_| Error::Internal(format!("the git server said {line:?}")))?;
        Ok(GitServer { child, port })
    }
}

impl Drop for GitServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn git(args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(io("cannot run git"))?;
    if !out.status.success() {
        return Err(Error::Internal(format!(
            "git {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// Commits on the server's `main` (0 before the first push).
fn commits(bare: &Path) -> Result<usize> {
    let dir = format!("--git-dir={}", bare.display());
    if git(&[&dir, "rev-parse", "--verify", "-q", "refs/heads/main"]).is_err() {
        return Ok(0);
    }
    git(&[&dir, "rev-list", "--count", "refs/heads/main"])?
        .parse()
        .map_err(|_| Error::Internal("git rev-list --count said no number".into()))
}

/// The spec, by SQL in one transaction (through the API it would be 10,000 transactions and
/// a cycle check per edge): 2,000 contexts with three stories linked to each, 2,000
/// components in those contexts, each depending on the one before it in runs of ten.
/// Returns the story ids in creation order.
async fn seed_spec(store: &Store, project_id: &ProjectId) -> Result<Vec<String>> {
    let now = store.now();
    let mut tx = store.write().await?;
    let mut contexts = Vec::with_capacity(CONTEXTS);
    for i in 0..CONTEXTS {
        let id = new_id();
        sqlx::query(
            "INSERT INTO contexts (id, name, type, purpose, description, project_id, inserted_at, \
             updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )
        .bind(&id)
        .bind(format!("Area{i:04}"))
        .bind(if i % 5 == 0 { "coordination" } else { "domain" })
        .bind(format!("Owns the rules of area {i} and the records they keep."))
        .bind(format!("Area {i} of the benchmark spec.\n\nIt answers for its three stories."))
        .bind(project_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        contexts.push(id);
    }
    let mut stories = Vec::with_capacity(STORIES);
    for i in 0..STORIES {
        let id = new_id();
        sqlx::query(
            "INSERT INTO stories (id, title, description, acceptance_criteria, status, project_id, \
             inserted_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        )
        .bind(&id)
        .bind(format!("Story {i:05}"))
        .bind(format!(
            "As a user of area {} I want feature {i} so that the benchmark has text to carry.",
            i % CONTEXTS
        ))
        .bind(format!("- feature {i} works\n- it is fast\n- it is honest"))
        .bind(if i % 3 == 0 { "ready" } else { "draft" })
        .bind(project_id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO context_stories (id, context_id, story_id, inserted_at, updated_at) \
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )
        .bind(new_id())
        .bind(&contexts[i % CONTEXTS])
        .bind(&id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        stories.push(id);
    }
    let mut previous: Option<i64> = None;
    // One component in each context.
    for (i, context) in contexts.iter().enumerate().take(COMPONENTS) {
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO components (id, name, type, file_path, description, context_id, \
             project_id, inserted_at, updated_at) VALUES (?1, ?2, 'other', ?3, ?4, ?5, ?6, ?7, ?7) \
             RETURNING seq",
        )
        .bind(new_id())
        .bind(format!("Area{i:04}.Part"))
        .bind(format!("lib/bench/area{i:04}/part.ex"))
        .bind(format!("The working part of area {i}."))
        .bind(context)
        .bind(project_id)
        .bind(&now)
        .fetch_one(&mut *tx)
        .await?;
        if let (Some(below), true) = (previous, i % 10 != 0) {
            sqlx::query(
                "INSERT INTO component_dependencies (id, project_id, component_seq, \
                 depends_on_seq, inserted_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            )
            .bind(new_id())
            .bind(project_id)
            .bind(seq)
            .bind(below)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        previous = Some(seq);
    }
    tx.commit().await?;
    Ok(stories)
}

/// Where the docs repository is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remote {
    /// The smart-HTTP stand-in, as GitHub is reached.
    Http,
    /// The same bare repository through libgit2's local transport: the core's own cost,
    /// without HTTP.
    File,
}

/// One project's sync under test.
struct Fixture<'a> {
    store: &'a Store,
    secrets: &'a Arc<dyn SecretStore>,
    actor: &'a AccountId,
    project: ProjectId,
    url: String,
    bare: std::path::PathBuf,
    cancel: CancellationToken,
}

impl Fixture<'_> {
    async fn sync(&self) -> Result<(SyncReport, Duration)> {
        let t = Instant::now();
        let report =
            docs_sync::run_once(self.store, self.secrets, self.actor, &self.project, &self.cancel)
                .await
                .map_err(|e| Error::Internal(format!("the docs sync failed: {e}")))?;
        let took = t.elapsed();
        if !report.problems.is_empty() || report.conflicts > 0 {
            return Err(Error::Internal(format!("the docs sync found trouble: {report:?}")));
        }
        Ok((report, took))
    }

    /// A sync that must publish `n` entities in exactly one new commit on the server.
    async fn publishing_sync(&self, n: usize) -> Result<(SyncReport, Duration)> {
        let before = commits(&self.bare)?;
        let (r, took) = self.sync().await?;
        let made = commits(&self.bare)? - before;
        if r.published as usize != n || r.commit.is_none() || made != 1 || r.merges != 1 {
            return Err(Error::Internal(format!(
                "{n} edits did not publish as one commit ({made} made): {r:?}"
            )));
        }
        Ok((r, took))
    }

    /// The remote's part of a sync with nothing to fetch: libgit2 asking the server what it
    /// holds (the 401, then the request with the token).
    async fn ls_remote(&self) -> Result<Duration> {
        let url = self.url.clone();
        tokio::task::spawn_blocking(move || {
            let t = Instant::now();
            publish::remote_state(&url, Some(&Secret::new(TOKEN)))
                .map_err(|e| Error::Internal(format!("ls-remote: {e}")))?;
            Ok(t.elapsed())
        })
        .await
        .map_err(|e| Error::Internal(format!("ls-remote task: {e}")))?
    }

    /// Edits the description of `ids` through the core API (a transaction each).
    async fn edit(&self, ids: &[String], round: usize) -> Result<()> {
        for id in ids {
            let id = &StoryId::parse("story_id", id)?;
            let story = stories::get(self.store, self.actor, id).await?;
            let changes = StoryChanges {
                description: Some(format!("{}\n\nEdited in round {round}.", story.description)),
                ..Default::default()
            };
            stories::update(self.store, self.actor, id, story.version, changes).await?;
        }
        Ok(())
    }
}

/// What one remote's run measured.
struct Figures {
    seeded: Duration,
    first: Duration,
    unchanged: Timing,
    /// Unchanged syncs that made a commit (goal 0).
    unchanged_commits: usize,
    /// The remote's answer alone, for the HTTP stand-in.
    ls_remote: Option<Timing>,
    few: Timing,
    many: Duration,
    many_report: SyncReport,
    /// The first sync of this version over the repository an older version left flat.
    moved: Duration,
}

/// A project of its own with the 10,000-entity spec and an empty docs repository at
/// `remote`, then the syncs: the first, unchanged ones, 10 edits (RUNS times), 1,000 edits.
async fn scenario(
    store: &Store,
    secrets: &Arc<dyn SecretStore>,
    actor: &AccountId,
    git_root: &Path,
    port: u16,
    remote: Remote,
) -> Result<Figures> {
    let name = match remote {
        Remote::Http => "spec_http",
        Remote::File => "spec_file",
    };
    let bare = git_root.join("acme").join(format!("{name}.git"));
    std::fs::create_dir_all(&bare).map_err(io("cannot create the bare repository's dir"))?;
    git(&["init", "-q", "--bare", &bare.display().to_string()])?;
    let url = match remote {
        Remote::Http => format!("http://127.0.0.1:{port}/acme/{name}"),
        Remote::File => format!("file://{}", git_root.join("acme").join(name).display()),
    };
    let new = NewProject {
        name: name.into(),
        docs_repo: (remote == Remote::Http).then(|| url.clone()),
        ..Default::default()
    };
    let project = projects::create(store, actor, new).await?.id;
    if remote == Remote::File {
        // Not a URL a person may enter (https, or http on loopback): set behind the API.
        sqlx::query("UPDATE projects SET docs_repo = ? WHERE id = ?")
            .bind(&url)
            .bind(project)
            .execute(store.pool())
            .await?;
    }
    let t = Instant::now();
    let story_ids = seed_spec(store, &project).await?;
    let seeded = t.elapsed();
    let f = Fixture { store, secrets, actor, project, url, bare, cancel: CancellationToken::new() };

    // The first sync: the whole spec goes to an empty repository.
    let (_, first) = f.publishing_sync(ENTITIES).await?;

    // Nothing changed.
    let mut unchanged = Vec::with_capacity(RUNS);
    let mut unchanged_commits = 0;
    for _ in 0..RUNS {
        let (r, took) = f.sync().await?;
        unchanged_commits += usize::from(r.commit.is_some());
        if r.published != 0 || r.imported != 0 {
            return Err(Error::Internal(format!("an unchanged sync changed something: {r:?}")));
        }
        unchanged.push(took);
    }
    let ls_remote = if remote == Remote::Http {
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            times.push(f.ls_remote().await?);
        }
        Some(Timing::from(times))
    } else {
        None
    };

    // A few entities changed among the 10,000, each round other stories.
    let mut few = Vec::with_capacity(RUNS);
    for round in 0..RUNS {
        f.edit(&story_ids[round * FEW..(round + 1) * FEW], round).await?;
        few.push(f.publishing_sync(FEW).await?.1);
    }

    // 1,000 edits in one sync: 500 new stories and 500 edited ones.
    f.edit(&story_ids[STORIES - 500..], RUNS).await?;
    for i in 0..500 {
        let new = NewStory {
            title: format!("New story {i:03}"),
            description: format!("As a user I want new feature {i} so that the spec grows."),
            acceptance_criteria: Some("- it is published\n- in one commit".into()),
        };
        stories::create(store, actor, &f.project, new).await?;
    }
    let (many_report, many) = f.publishing_sync(1_000).await?;

    // The repository as an older version left it (every file flat), moved by one sync.
    let flat_head = flatten(&f.bare)?;
    sqlx::query(
        "UPDATE docs_entities SET path = substr(path, 1, instr(path, '/')) || \
         substr(path, instr(path, '/') + 4) WHERE project_id = ?",
    )
    .bind(f.project)
    .execute(store.pool())
    .await?;
    sqlx::query("UPDATE docs_sync SET synced_commit = ? WHERE project_id = ?")
        .bind(&flat_head)
        .bind(f.project)
        .execute(store.pool())
        .await?;
    let before = commits(&f.bare)?;
    let (r, moved) = f.sync().await?;
    let made = commits(&f.bare)? - before;
    if r.commit.is_none() || r.published != 0 || made != 1 {
        return Err(Error::Internal(format!("the move was not one commit ({made} made): {r:?}")));
    }
    Ok(Figures {
        seeded,
        first,
        unchanged: Timing::from(unchanged),
        unchanged_commits,
        ls_remote,
        few: Timing::from(few),
        many,
        many_report,
        moved,
    })
}

/// Moves every spec file of `bare`'s `main` back to the flat layout of older versions
/// (`stories/1a/x.md` → `stories/x.md`, the README's links too) in one pushed commit, through
/// a clone and the git CLI; returns that commit.
fn flatten(bare: &Path) -> Result<String> {
    let dir = tempfile::tempdir().map_err(io("temp dir"))?;
    let work = dir.path().join("w");
    let (src, dst) = (bare.display().to_string(), work.display().to_string());
    git(&["clone", "-q", "-b", "main", &src, &dst])?;
    let mut readme = std::fs::read_to_string(work.join("README.md")).map_err(io("README"))?;
    for kind in ["stories", "contexts", "components"] {
        let folder = work.join(kind);
        for sub in std::fs::read_dir(&folder).map_err(io("read the clone"))?.flatten() {
            if !sub.path().is_dir() {
                continue;
            }
            for file in std::fs::read_dir(sub.path()).map_err(io("read the clone"))?.flatten() {
                std::fs::rename(file.path(), folder.join(file.file_name())).map_err(io("mv"))?;
            }
            let name = sub.file_name().to_string_lossy().into_owned();
            readme = readme.replace(&format!("]({kind}/{name}/"), &format!("]({kind}/"));
        }
    }
    std::fs::write(work.join("README.md"), readme).map_err(io("README"))?;
    let c = format!("--git-dir={dst}/.git");
    let w = format!("--work-tree={dst}");
    git(&[&c, &w, "add", "-A"])?;
    let id = ["-c", "user.name=Older version", "-c", "user.email=old@example.com"];
    git(&[&id[..], &[&c, &w, "commit", "-qm", "An older version's flat layout"]].concat())?;
    git(&[&c, "push", "-q", "origin", "HEAD:main"])?;
    git(&[&c, "rev-parse", "HEAD"])
}

pub async fn run(report: &mut Report) -> Result<()> {
    report.section("docs sync (10,000-entity spec; local smart-HTTP git server, and file://)");
    let dir = tempfile::tempdir().map_err(io("temp dir"))?;
    let git_root = dir.path().join("git");
    std::fs::create_dir_all(&git_root).map_err(io("cannot create the git server's root"))?;
    let server = GitServer::start(&git_root)?;
    let store = Store::open(&dir.path().join("data")).await?;
    let actor = seed::account(&store).await?.id;
    let secrets: Arc<dyn SecretStore> = Arc::new(Memory::default());
    secrets.set(&actor, &format!("127.0.0.1:{}", server.port), &Secret::new(TOKEN))?;
    let http = scenario(&store, &secrets, &actor, &git_root, server.port, Remote::Http).await?;
    let file = scenario(&store, &secrets, &actor, &git_root, server.port, Remote::File).await?;
    store.close().await;
    drop(server);

    let via_file = |d: Duration| format!("file:// {}", ms(d));
    report.rate("seed the spec (bulk SQL, one transaction)", ENTITIES, http.seeded);
    report.value(
        &format!("first sync: publish all {ENTITIES} entities"),
        ms(http.first),
        format!("{ENTITIES} published in 1 commit; {}", via_file(file.first)),
        "once".into(),
    );
    let committed = http.unchanged_commits + file.unchanged_commits;
    let met = committed == 0 && http.unchanged.median() < Duration::from_millis(200);
    report.value(
        &format!("unchanged sync of {ENTITIES} entities (median of {RUNS})"),
        ms(http.unchanged.median()),
        format!(
            "worst {}; commits made {committed}; {}",
            ms(http.unchanged.worst()),
            via_file(file.unchanged.median())
        ),
        format!("goal no commit, < 200 ms: {}", if met { "met" } else { "MISSED" }),
    );
    if let Some(ls) = &http.ls_remote {
        report.value(
            &format!("  the server's answer alone: ls-remote via libgit2 (median of {RUNS})"),
            ms(ls.median()),
            format!("worst {}", ms(ls.worst())),
            String::new(),
        );
    }
    report.value(
        &format!("{FEW} edited stories among {ENTITIES}: one sync (median of {RUNS})"),
        ms(http.few.median()),
        format!("worst {}; {}", ms(http.few.worst()), via_file(file.few.median())),
        "goal: cost follows the change".into(),
    );
    report.value(
        "1,000 edits (500 new stories, 500 edited) in one sync",
        ms(http.many),
        format!("{} published in 1 commit; {}", http.many_report.published, via_file(file.many)),
        "once".into(),
    );
    // What a change costs beyond an unchanged sync, per edited entity.
    let per_edit = |f: &Figures| {
        let base = f.unchanged.median();
        let few = f.few.median().saturating_sub(base).as_secs_f64() * 1000.0;
        let many = f.many.saturating_sub(base).as_secs_f64() * 1000.0;
        (few, many)
    };
    let (hf, hm) = per_edit(&http);
    let (ff, fm) = per_edit(&file);
    report.value(
        "  above the unchanged sync: 10 edits / 1,000 edits",
        format!("{hf:.0} / {hm:.0} ms"),
        format!("file:// {ff:.0} / {fm:.0} ms; 1,000 edits cost {:.2} ms an edit", fm / 1000.0),
        String::new(),
    );
    report.value(
        &format!("first sync over a flat repository of {ENTITIES} files: the move (once)"),
        ms(http.moved),
        format!("1 commit of renames; {}", via_file(file.moved)),
        "once".into(),
    );
    // Issue 22's goal: the core's cost of 10 edits (file://, no HTTP) follows the change.
    report.value(
        &format!("  {FEW} edits above the unchanged sync, file:// (medians of {RUNS})"),
        format!("{ff:.1} ms"),
        format!("1,000 edits {fm:.0} ms above it"),
        format!("goal ≤ 5 ms: {}", if ff <= 5.0 { "met" } else { "MISSED" }),
    );
    Ok(())
}
