//! The docs repository's first tree: a README and the project's spec as markdown, one file
//! per story, context and component (the design doc inside its component's file), each with
//! front matter for its fields so that a later sync can read it back.

use crate::components::Component;
use crate::contexts::Context;
use crate::error::{Error, Result};
use crate::projects::Project;
use crate::store::Store;
use crate::stories::Story;
use crate::{contexts, dependencies, design_docs, stories};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

/// A value for front matter: JSON strings are valid YAML scalars.
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn story_file(s: &Story) -> String {
    let short = s.id.get(..8).unwrap_or(&s.id);
    match slug(&s.title) {
        t if t.is_empty() => format!("stories/{short}.md"),
        t => format!("stories/{t}-{short}.md"),
    }
}

/// Every file of the tree: (relative path, content).
pub fn render(
    project: &Project,
    stories: &[Story],
    contexts: &[(Context, Vec<String>)],
    components: &[Component],
    depends_on: &HashMap<String, Vec<String>>,
    designs: &HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut readme = format!("# {} — specification\n\n", project.module_name);
    if let Some(d) = &project.description {
        let _ = writeln!(readme, "{d}\n");
    }
    if let Some(summary) = &project.executive_summary {
        let _ = writeln!(readme, "## Executive summary\n\n{summary}\n");
    }
    let _ = writeln!(readme, "Stage: {}. Framework: {}.\n", project.stage, project.framework);
    let _ = writeln!(readme, "- {} stories in `stories/`", stories.len());
    let _ = writeln!(readme, "- {} bounded contexts in `contexts/`", contexts.len());
    let _ = writeln!(readme, "- {} components in `components/`", components.len());
    files.push(("README.md".to_owned(), readme));

    for s in stories {
        let mut md = format!(
            "---\nid: {}\ntitle: {}\nstatus: {}\napproved: {}\nversion: {}\n---\n\n# {}\n\n{}\n",
            q(&s.id),
            q(&s.title),
            s.status,
            s.approved,
            s.version,
            s.title,
            s.description.trim_end()
        );
        if let Some(criteria) = &s.acceptance_criteria {
            let _ = write!(md, "\n## Acceptance criteria\n\n{}\n", criteria.trim_end());
        }
        files.push((story_file(s), md));
    }
    let story_titles: HashMap<&str, &Story> = stories.iter().map(|s| (s.id.as_str(), s)).collect();
    for (c, story_ids) in contexts {
        let mut md = format!(
            "---\nid: {}\nname: {}\ntype: {}\napproved: {}\nversion: {}\n---\n\n# {}\n\n{}\n",
            q(&c.id),
            q(&c.name),
            c.kind,
            c.approved,
            c.version,
            c.name,
            c.purpose
        );
        if let Some(d) = &c.description {
            let _ = write!(md, "\n{}\n", d.trim_end());
        }
        if !story_ids.is_empty() {
            md.push_str("\n## Stories\n\n");
            for id in story_ids {
                if let Some(s) = story_titles.get(id.as_str()) {
                    let _ = writeln!(md, "- [{}](../{})", s.title, story_file(s));
                }
            }
        }
        files.push((format!("contexts/{}.md", c.name), md));
    }
    let names: HashMap<&str, &str> =
        components.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    for c in components {
        let mut md = format!(
            "---\nid: {}\nname: {}\ntype: {}\nfile_path: {}\ndocs_complete: {}\ncode_complete: {}\ntests_complete: {}\n---\n\n# {}\n\n`{}`\n",
            q(&c.id), q(&c.name), c.kind, q(&c.file_path), c.docs_complete, c.code_complete, c.tests_complete, c.name, c.file_path
        );
        if let Some(d) = &c.description {
            let _ = write!(md, "\n{}\n", d.trim_end());
        }
        if let Some(deps) = depends_on.get(&c.id) {
            md.push_str("\n## Depends on\n\n");
            for d in deps {
                let name = names.get(d.as_str()).copied().unwrap_or(d);
                let _ = writeln!(md, "- [{name}]({name}.md)");
            }
        }
        if let Some(design) = designs.get(&c.id) {
            let _ = write!(md, "\n## Design\n\n{}\n", design.trim_end());
        }
        files.push((format!("components/{}.md", c.name), md));
    }
    files
}

/// Reads the project's spec as `actor` and writes the tree into `dir`.
pub async fn write_tree(
    store: &Store,
    actor: &str,
    project: &Project,
    dir: &Path,
) -> Result<usize> {
    let stories = stories::list(store, actor, &project.id).await?;
    let mut contexts = Vec::new();
    for c in contexts::list(store, actor, &project.id).await? {
        let linked =
            contexts::list_stories(store, actor, &c.id).await?.into_iter().map(|s| s.id).collect();
        contexts.push((c, linked));
    }
    let graph = dependencies::graph(store, actor, &project.id).await?;
    let mut depends_on: HashMap<String, Vec<String>> = HashMap::new();
    for d in &graph.dependencies {
        depends_on.entry(d.component_id.clone()).or_default().push(d.depends_on_id.clone());
    }
    let mut designs = HashMap::new();
    for c in &graph.components {
        match design_docs::get(store, actor, &c.id).await {
            Ok(doc) => {
                designs.insert(c.id.clone(), doc.content);
            }
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    let files = render(project, &stories, &contexts, &graph.components, &depends_on, &designs);
    for (path, content) in &files {
        let full = dir.join(path);
        if let Some(parent) = full.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io {
                context: format!("cannot create {}", parent.display()),
                source,
            })?;
        }
        std::fs::write(&full, content).map_err(|source| Error::Io {
            context: format!("cannot write {}", full.display()),
            source,
        })?;
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_short_lowercase_words() {
        assert_eq!(slug("Pay by card!"), "pay-by-card");
        assert_eq!(slug("  "), "");
        assert_eq!(slug(&"x".repeat(80)).len(), 48);
    }
}
