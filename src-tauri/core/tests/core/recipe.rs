//! Recipes for the pipeline tests, written as the steps they run rather than as TOML text: a
//! program step fails the step (`on_failure = "step"`), a built-in action the infrastructure,
//! as the shipped recipes do. `toml()` is what the pipeline reads from the data dir's
//! `recipes/elixir.toml`.

use toml::{Table, Value};

/// The smallest project tree a step can make: `app/README.md`.
pub const APP_README: &str = "mkdir -p app && echo hello > app/README.md";

pub struct Recipe {
    name: String,
    steps: Vec<Table>,
}

pub fn recipe(name: &str) -> Recipe {
    Recipe { name: name.to_owned(), steps: Vec::new() }
}

impl Recipe {
    /// A step that runs `program args…` (in the work dir, or `.dir(…)`), 30 s at most.
    pub fn run(mut self, status: &str, program: &str, args: &[&str]) -> Self {
        let mut step = Table::new();
        step.insert("status".into(), status.into());
        step.insert("program".into(), program.into());
        if !args.is_empty() {
            step.insert("args".into(), Value::Array(args.iter().map(|a| (*a).into()).collect()));
        }
        step.insert("timeout_secs".into(), 30.into());
        step.insert("on_failure".into(), "step".into());
        self.steps.push(step);
        self
    }

    /// A step that runs `sh -c script`.
    pub fn sh(self, status: &str, script: &str) -> Self {
        self.run(status, "sh", &["-c", script])
    }

    /// A built-in action (`provision`, `publish`, `clone`, …), 120 s at most.
    pub fn act(mut self, status: &str, action: &str) -> Self {
        let mut step = Table::new();
        step.insert("status".into(), status.into());
        step.insert("action".into(), action.into());
        step.insert("timeout_secs".into(), 120.into());
        step.insert("on_failure".into(), "infrastructure".into());
        self.steps.push(step);
        self
    }

    /// The last step runs in `dir` (under the work dir; `{name}` is the project's name).
    pub fn dir(self, dir: &str) -> Self {
        self.set("dir", dir)
    }

    /// The last step's time limit.
    pub fn timeout(self, secs: i64) -> Self {
        self.set("timeout_secs", secs)
    }

    /// Any other key of the last step.
    pub fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.steps.last_mut().expect("a step first").insert(key.into(), value.into());
        self
    }

    pub fn toml(&self) -> String {
        let mut doc = Table::new();
        doc.insert("name".into(), self.name.clone().into());
        doc.insert(
            "steps".into(),
            Value::Array(self.steps.iter().cloned().map(Value::Table).collect()),
        );
        toml::to_string(&doc).expect("a recipe is TOML")
    }
}
