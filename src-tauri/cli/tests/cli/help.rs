use crate::support::*;

/// Every command and subcommand answers --help.
#[test]
fn help_is_everywhere() {
    let cli = Cli::new();
    let top = cli.run(&["--help"]);
    assert_eq!(top.code, 0);
    let groups = [
        ("account", &["create", "list", "show", "update", "login"][..]),
        ("config", &["list", "set"]),
        ("project", &["create", "list", "show", "update", "delete"]),
        ("member", &["add", "role", "remove", "list"]),
        ("stage", &["show", "move", "history", "why"]),
        ("story", &["create", "list", "show", "update", "approve", "dirty", "clean", "delete"]),
        (
            "context",
            &[
                "create", "list", "show", "update", "approve", "clean", "delete", "link", "unlink",
                "stories",
            ],
        ),
        (
            "component",
            &[
                "create",
                "list",
                "show",
                "update",
                "status",
                "clean",
                "delete",
                "depend",
                "undepend",
                "deps",
                "dependents",
                "graph",
            ],
        ),
        ("doc", &["show", "save", "approve"]),
        ("session", &["create", "list", "show", "status"]),
        (
            "jobs",
            &[
                "list",
                "counts",
                "show",
                "cancel",
                "retry",
                "pause",
                "resume",
                "concurrency",
                "prune",
            ],
        ),
        ("token", &["set", "status", "delete"]),
    ];
    for (group, subs) in groups {
        assert!(top.stdout.contains(group), "top-level help lists {group}");
        let run = cli.run(&[group, "--help"]);
        assert_eq!(run.code, 0, "{group} --help");
        for sub in subs {
            assert!(run.stdout.contains(sub), "{group} help lists {sub}");
            let run = cli.run(&[group, sub, "--help"]);
            assert_eq!(run.code, 0, "{group} {sub} --help: {}", run.stderr);
            assert!(run.stdout.contains("Usage: codemyspec"), "{group} {sub}");
        }
    }
    for single in ["setup", "worker", "doctor"] {
        assert!(top.stdout.contains(single), "top-level help lists {single}");
        let run = cli.run(&[single, "--help"]);
        assert_eq!(run.code, 0, "{single} --help");
    }
    let usage = cli.run(&["project", "frobnicate"]);
    assert_eq!(usage.code, 2, "a usage error exits 2");
}
