//! The spec figures of the foundation issue: create rates, `list_projects` over 10k
//! projects, dirty propagation over 100k components, `add_dependency` with its cycle check.

use crate::report::{measure, timed, Report, Timing};
use crate::{seed, Args};
use codemyspec_core::change_watch::ChangeWatch;
use codemyspec_core::components::ComponentChanges;
use codemyspec_core::projects::ProjectChanges;
use codemyspec_core::{
    components, dependencies, projects, AccountId, Error, ProjectId, Result, Store,
};
use std::time::Instant;

pub async fn run(args: &Args, report: &mut Report) -> Result<()> {
    report.section("spec: 10k projects, 100k stories, 100k-component graphs");
    let temp = tempfile::tempdir()
        .map_err(|source| Error::Io { context: "cannot make a temp dir".into(), source })?;
    let dir = args.data_dir.clone().unwrap_or_else(|| temp.path().to_owned());
    let store = Store::open(&dir).await?;
    let n = args.components;

    let actor = seed::account(&store).await?;
    let t = Instant::now();
    let project_ids = seed::projects(&store, &actor, args.projects).await?;
    report.rate("create project (a transaction each)", args.projects, t.elapsed());
    let t = Instant::now();
    seed::stories(&store, &actor, &project_ids, args.stories).await?;
    report.rate("create story (a transaction each)", args.stories, t.elapsed());
    let t = Instant::now();
    let chain = seed::components(&store, &actor, "chain", n).await?;
    report.rate("create component (a transaction each)", n, t.elapsed());
    let fan = seed::components(&store, &actor, "fan", n).await?;
    // Edges are seeded by SQL in one transaction: through the API a chain grows one edge at
    // a time, each checked against the whole chain below it (quadratic in total).
    let t = Instant::now();
    seed::chain_edges(&store, &chain).await?;
    seed::fan_edges(&store, &fan).await?;
    report.rate("seed dependency edges (bulk SQL, not the API)", 2 * (n - 1), t.elapsed());

    let list = measure(args.runs, || async {
        let (list, took) = timed(projects::list(&store, &actor.id)).await?;
        assert!(list.len() >= args.projects, "every project is listed");
        Ok(took)
    })
    .await?;
    report.timing(
        &format!("projects::list (whole projects: the CLI), {} projects", list_len(args)),
        &list,
        None,
    );
    // What the window's `list_projects` command answers since issue 22: each project's row.
    let rows = measure(args.runs, || async {
        let (rows, took) = timed(projects::list_rows(&store, &actor.id)).await?;
        assert!(rows.len() >= args.projects, "every project is listed");
        Ok(took)
    })
    .await?;
    report.timing(
        &format!("list_projects (the window's rows), one account with {} projects", list_len(args)),
        &rows,
        Some(20.0),
    );

    watch_figures(args, report, &store, &actor.id, &project_ids).await?;

    for (label, graph) in [("deep chain", &chain), ("wide fan-in", &fan)] {
        let mut edits = 0;
        let mut edit = || {
            edits += 1;
            ComponentChanges { description: Some(format!("edit {edits}")), ..Default::default() }
        };
        seed::clean(&store).await?;
        let (_, first) =
            timed(components::update(&store, &actor.id, graph.bottom(), edit())).await?;
        report.single(
            &format!("propagation, {label}: first edit after start (loads the graph)"),
            first,
        );
        let timing = measure(args.runs, || {
            let change = edit();
            let (store, actor) = (&store, &actor);
            async move {
                seed::clean(store).await?;
                let (_, took) =
                    timed(components::update(store, &actor.id, graph.bottom(), change)).await?;
                let dirty = seed::dirty_count(store, &graph.project_id).await?;
                assert_eq!(dirty as usize, graph.ids.len() - 1, "every dependent is marked");
                Ok(took)
            }
        })
        .await?;
        report.timing(
            &format!("propagation, {label}: edit the bottom, {} marked dirty", n - 1),
            &timing,
            Some(20.0),
        );
    }

    // add_dependency: a typical edge (one leaf of the fan onto another), the worst case (a
    // new component onto the top of the chain: the cycle check walks all of it), and a
    // refused edge that would close the whole chain into a cycle.
    let mut pair = 0;
    let typical = measure(args.runs.max(50), || {
        pair += 2;
        let (a, b) = (fan.ids[pair], fan.ids[pair + 1]);
        let (store, actor) = (&store, &actor);
        async move { timed(dependencies::add(store, &actor.id, &a, &b)).await.map(|(_, t)| t) }
    })
    .await?;
    report.timing("add_dependency, leaf onto leaf of the fan", &typical, Some(10.0));
    let mut extra = 0;
    let worst = measure(args.runs, || {
        extra += 1;
        let (store, actor, chain) = (&store, &actor, &chain);
        async move {
            let new =
                seed::component(store, actor, &chain.project_id, &format!("Extra{extra}")).await?;
            timed(dependencies::add(store, &actor.id, &new, chain.top())).await.map(|(_, t)| t)
        }
    })
    .await?;
    report.timing(
        &format!("add_dependency, new component onto the top of a {n}-deep chain"),
        &worst,
        Some(10.0),
    );
    let refused = measure(args.runs, || {
        let (store, actor, chain) = (&store, &actor, &chain);
        async move {
            let t = Instant::now();
            match dependencies::add(store, &actor.id, chain.bottom(), chain.top()).await {
                Err(Error::DependencyCycle { .. }) => Ok(t.elapsed()),
                Err(e) => Err(e),
                Ok(_) => Err(Error::Internal("the cycle was not refused".into())),
            }
        }
    })
    .await?;
    report.timing(&format!("add_dependency refused: would close a {n}-long cycle"), &refused, None);

    store.close().await;
    Ok(())
}

fn list_len(args: &Args) -> usize {
    // The two graph projects are listed too.
    args.projects + 2
}

/// The window's watch of project changes (`ChangeWatch`, once a second): a look when nothing
/// changed, and one after a project changed, among all of the account's projects.
async fn watch_figures(
    args: &Args,
    report: &mut Report,
    store: &Store,
    actor: &AccountId,
    project_ids: &[ProjectId],
) -> Result<()> {
    let mut watch = ChangeWatch::starting(store);
    let mut idle = Vec::with_capacity(args.runs);
    let mut one = Vec::with_capacity(args.runs);
    for run in 0..args.runs {
        let (changed, took) = timed(watch.changed_ids(store, actor)).await?;
        assert!(changed.is_empty(), "nothing changed");
        idle.push(took);
        let description = Some(format!("watched {run}"));
        let changes = ProjectChanges { description, ..Default::default() };
        projects::update(store, actor, &project_ids[run % project_ids.len()], changes).await?;
        let (changed, took) = timed(watch.changed_ids(store, actor)).await?;
        assert_eq!(changed.len(), 1, "the one project changed is told");
        one.push(took);
    }
    let n = list_len(args);
    report.timing(
        &format!("the window's look for changed projects, none changed, {n} projects"),
        &Timing::from(idle),
        None,
    );
    report.timing(
        &format!("the window's look for changed projects, one changed, {n} projects"),
        &Timing::from(one),
        None,
    );
    Ok(())
}
