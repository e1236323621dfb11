//! Recipes: a setup is data — an ordered list of steps, each a program with arguments (or
//! the built-in `publish` action), the setup status it shows, a timeout, and what its
//! failure means. Two are built in (`phoenix`, `elixir`); a file `recipes/NAME.toml` in the
//! data dir adds one or replaces the built-in of that name. A project's framework picks one.

use crate::error::{Error, Result};
use crate::jobs::FailureClass;
use crate::projects::{Project, SetupStatus};
use crate::validate;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

const BUILT_IN: &[(&str, &str)] = &[
    ("elixir", include_str!("../../recipes/elixir.toml")),
    ("phoenix", include_str!("../../recipes/phoenix.toml")),
    ("clone", include_str!("../../recipes/clone.toml")),
];

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Create (or adopt) the project's code and docs repositories on GitHub.
    Provision,
    /// Commit the tree and push it to the code repo; build the docs tree and push it to the
    /// docs repo.
    Publish,
    /// The clone path: the profile may read the code repository (and the docs one, whose
    /// absence is a warning).
    CheckAccess,
    /// The clone path: clone the code repository into the step's dir.
    Clone,
    /// The clone path: the docs sync's first pull (a missing docs repository is a warning).
    ImportSpec,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    status: String,
    #[serde(default)]
    dir: Option<String>,
    #[serde(default)]
    program: Option<String>,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    action: Option<Action>,
    timeout_secs: u64,
    on_failure: String,
    /// `false` for a step that cannot run again over its own earlier run (a generator that
    /// refuses an existing folder): a retry resuming there starts over in a clean dir.
    #[serde(default = "yes")]
    rerun_in_place: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipe {
    name: String,
    #[serde(default)]
    description: String,
    steps: Vec<RawStep>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Work {
    Run { program: String, args: Vec<String> },
    Act(Action),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub status: SetupStatus,
    /// Relative to the job's work dir, placeholders filled in.
    pub dir: PathBuf,
    pub work: Work,
    pub timeout: Duration,
    pub on_failure: FailureClass,
    /// Whether a retry may run it again in the work dir its earlier attempt left.
    pub rerun_in_place: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipe {
    pub name: String,
    pub description: String,
    /// Where it came from: "built-in" or the file.
    pub source: String,
    pub steps: Vec<Step>,
}

impl Step {
    /// The step as one line: its command or its action.
    pub fn describe(&self) -> String {
        match &self.work {
            Work::Run { program, args } => super::process::StepCommand {
                program: program.clone(),
                args: args.clone(),
                dir: PathBuf::new(),
                timeout: self.timeout,
                env: Vec::new(),
            }
            .display(),
            Work::Act(Action::Publish) => "publish (git commit, push code and docs)".into(),
            Work::Act(Action::Provision) => "create or adopt the GitHub repositories".into(),
            Work::Act(Action::CheckAccess) => "check access to the repositories".into(),
            Work::Act(Action::Clone) => "git clone the code repository".into(),
            Work::Act(Action::ImportSpec) => "bring the spec in from the docs repository".into(),
        }
    }
}

/// Fills `{name}`, `{module}` and `{database}`; any other `{…}` is an error.
fn fill(template: &str, project: &Project) -> std::result::Result<String, String> {
    let mut out = template
        .replace("{name}", &project.name)
        .replace("{module}", &project.module_name)
        .replace("{database}", project.database.as_str());
    if let (Some(a), Some(b)) = (out.find('{'), out.find('}')) {
        if a < b {
            let unknown = out[a..=b].to_owned();
            out.clear();
            return Err(format!(
                "unknown placeholder {unknown} (use {{name}}, {{module}} or {{database}})"
            ));
        }
    }
    Ok(out)
}

/// Parses and checks a recipe for one project.
pub fn parse(text: &str, source: &str, project: &Project) -> Result<Recipe> {
    let bad = |why: String| Error::invalid("recipe", format!("recipe {source}: {why}"));
    let raw: RawRecipe = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
    if raw.steps.is_empty() {
        return Err(bad("it has no steps".into()));
    }
    let mut steps = Vec::new();
    for (i, s) in raw.steps.into_iter().enumerate() {
        let at = |why: String| bad(format!("step {}: {why}", i + 1));
        let status = SetupStatus::parse("status", &s.status).map_err(|e| at(e.to_string()))?;
        if !status.is_running() || status == SetupStatus::SetupQueued {
            return Err(at(format!("{status} is not a step's status")));
        }
        let on_failure = match s.on_failure.as_str() {
            "step" => FailureClass::Step,
            "infrastructure" => FailureClass::Infrastructure,
            other => {
                return Err(at(format!(
                    "on_failure is \"step\" or \"infrastructure\", not {other:?}"
                )))
            }
        };
        if !(1..=86_400).contains(&s.timeout_secs) {
            return Err(at("timeout_secs is 1 to 86400".into()));
        }
        let dir = match &s.dir {
            Some(d) => PathBuf::from(
                validate::file_path("dir", &fill(d, project).map_err(at)?)
                    .map_err(|e| at(e.to_string()))?,
            ),
            None => PathBuf::new(),
        };
        let work = match (s.program, s.action) {
            (Some(program), None) if !program.trim().is_empty() => Work::Run {
                program: fill(&program, project).map_err(at)?,
                args: s
                    .args
                    .iter()
                    .map(|a| fill(a, project))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(at)?,
            },
            (None, Some(action)) if s.args.is_empty() => Work::Act(action),
            _ => return Err(at("give either a program (with args) or an action".into())),
        };
        steps.push(Step {
            status,
            dir,
            work,
            timeout: Duration::from_secs(s.timeout_secs),
            on_failure,
            rerun_in_place: s.rerun_in_place,
        });
    }
    Ok(Recipe { name: raw.name, description: raw.description, source: source.to_owned(), steps })
}

/// The recipe for a setup going `path`: the project's framework's to generate it, `clone` to
/// bring existing code here.
pub fn for_setup(
    data_dir: &Path,
    project: &Project,
    path: super::path::SetupPath,
) -> Result<Recipe> {
    match path {
        super::path::SetupPath::Generate => for_project(data_dir, project),
        super::path::SetupPath::Clone => named(data_dir, "clone", project),
    }
}

/// The recipe for a project: `data_dir/recipes/<framework>.toml` if there is one, else the
/// built-in.
pub fn for_project(data_dir: &Path, project: &Project) -> Result<Recipe> {
    if project.framework == crate::projects::Framework::Unknown {
        return Err(Error::invalid(
            "framework",
            "this project's framework is unknown (it was discovered on GitHub): nothing can be \
             generated for it; set up its existing code, or choose phoenix or elixir",
        ));
    }
    named(data_dir, project.framework.as_str(), project)
}

/// `data_dir/recipes/<name>.toml` if there is one, else the built-in of that name.
fn named(data_dir: &Path, name: &str, project: &Project) -> Result<Recipe> {
    let file = data_dir.join("recipes").join(format!("{name}.toml"));
    if file.is_file() {
        let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
            context: format!("cannot read {}", file.display()),
            source,
        })?;
        return parse(&text, &file.display().to_string(), project);
    }
    let (_, text) = BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| Error::invalid("framework", format!("there is no recipe for {name}")))?;
    parse(text, "built-in", project)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::projects::{Database, Framework};

    fn project(framework: Framework) -> Project {
        let mut p: Project = serde_json::from_value(serde_json::json!({
            "id": "00000000-0000-4000-8000-000000000001", "name": "my_shop", "module_name": "MyShop", "description": null,
            "framework": "phoenix", "database": "postgres", "code_repo": null, "docs_repo": null,
            "github_repo_id": null, "github_repo_name": null, "stage": "provisioning",
            "setup_status": "setup_queued", "setup_error": null, "executive_summary": null,
            "executive_summary_approved": false, "setup_complete": false,
            "context_mapping_approved": false, "public_repos": false, "owner_id": "00000000-0000-4000-8000-0000000000a1", "inserted_at": "t", "updated_at": "t"
        }))
        .unwrap();
        p.framework = framework;
        p.database = Database::Postgres;
        p
    }

    fn commands(r: &Recipe) -> Vec<String> {
        r.steps.iter().map(|s| format!("{}: {} in {:?}", s.status, s.describe(), s.dir)).collect()
    }

    #[test]
    fn the_phoenix_recipe_is_seed_000s_pipeline() {
        let r = for_project(Path::new("/nonexistent"), &project(Framework::Phoenix)).unwrap();
        assert_eq!(
            commands(&r),
            [
                "creating_repositories: create or adopt the GitHub repositories in \"\"",
                "initializing: mix phx.new my_shop --module MyShop --database postgres --no-install in \"\"",
                "deps_installing: mix deps.get in \"my_shop\"",
                "setting_up_auth: mix phx.gen.auth Accounts User users --live in \"my_shop\"",
                "deps_installing: mix deps.get in \"my_shop\"",
                "compiling: mix compile in \"my_shop\"",
                "testing: mix test in \"my_shop\"",
                "committing: publish (git commit, push code and docs) in \"my_shop\"",
            ]
        );
        assert_eq!(r.steps[2].on_failure, FailureClass::Infrastructure);
        assert_eq!(r.steps[5].on_failure, FailureClass::Step);
        assert!(!r.steps[1].rerun_in_place, "phx.new refuses an existing folder");
    }

    #[test]
    fn the_elixir_recipe_uses_mix_new() {
        let r = for_project(Path::new("/nonexistent"), &project(Framework::Elixir)).unwrap();
        assert_eq!(r.steps[0].work, Work::Act(Action::Provision));
        assert_eq!(r.steps[1].describe(), "mix new my_shop --module MyShop");
        assert_eq!(r.steps.len(), 6);
    }

    #[test]
    fn a_recipe_file_in_the_data_dir_replaces_the_built_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("recipes")).unwrap();
        let text = "name = \"mine\"\n[[steps]]\nstatus = \"compiling\"\nprogram = \"echo\"\nargs = [\"{name}\"]\ntimeout_secs = 5\non_failure = \"step\"\n";
        std::fs::write(dir.path().join("recipes/elixir.toml"), text).unwrap();
        let r = for_project(dir.path(), &project(Framework::Elixir)).unwrap();
        assert_eq!((r.name.as_str(), r.steps[0].describe()), ("mine", "echo my_shop".to_owned()));
    }

    #[test]
    fn bad_recipes_are_refused_with_the_reason() {
        let p = project(Framework::Elixir);
        let step = |body: &str| format!("name = \"x\"\n[[steps]]\n{body}\n");
        for (body, why) in [
            ("status = \"ready\"\nprogram = \"x\"\ntimeout_secs = 5\non_failure = \"step\"", "not a step's status"),
            ("status = \"compiling\"\nprogram = \"x\"\ntimeout_secs = 0\non_failure = \"step\"", "timeout_secs"),
            ("status = \"compiling\"\nprogram = \"x\"\ntimeout_secs = 5\non_failure = \"maybe\"", "on_failure"),
            ("status = \"compiling\"\ntimeout_secs = 5\non_failure = \"step\"", "either a program"),
            ("status = \"compiling\"\nprogram = \"x\"\nargs = [\"{secret}\"]\ntimeout_secs = 5\non_failure = \"step\"", "unknown placeholder"),
            ("status = \"compiling\"\ndir = \"../out\"\nprogram = \"x\"\ntimeout_secs = 5\non_failure = \"step\"", ".."),
            ("status = \"compiling\"\nprogram = \"x\"\ntimeout_secs = 5\non_failure = \"step\"\nshell = true", "unknown field"),
        ] {
            let err = parse(&step(body), "test", &p).unwrap_err();
            assert_eq!(err.field(), Some("recipe"));
            assert!(err.to_string().contains(why), "{err} should mention {why}");
        }
        assert!(parse("name = \"x\"\nsteps = []\n", "test", &p)
            .unwrap_err()
            .to_string()
            .contains("no steps"));
    }
}
