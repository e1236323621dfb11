//! One project's life through the CLI: every command, on one database file.

use crate::support::*;

#[test]
fn accounts_config_projects_members_and_stages() {
    let cli = Cli::signed_up("ada@example.com");
    let run = cli.run_with_input(
        &["--json", "account", "create", "--email", "bob@example.com", "--name", "Bob"],
        "bobs password\n",
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let accounts = cli.ok(&["account", "list"]);
    assert_eq!(accounts.as_array().map(Vec::len), Some(2));
    let ada = cli.run_with_input(
        &["--json", "account", "login", "--email", "ADA@example.com"],
        "a long password\n",
    );
    assert_eq!(ada.code, 0, "{}", ada.stderr);
    assert_eq!(s(&cli.ok(&["account", "show"])["email"]), "ada@example.com");
    let me = cli.ok(&["account", "update", "--name", "Ada L.", "--github-login", "ada"]);
    assert_eq!((s(&me["name"]), s(&me["github_login"])), ("Ada L.", "ada"));

    cli.ok(&["config", "set", "github_host", "ghe.acme.dev"]);
    let config = cli.ok(&["config", "list"]);
    assert_eq!(s(&config[0]["value"]), "ghe.acme.dev");
    cli.ok(&["config", "set", "github_host", ""]);

    let p = cli.ok(&[
        "project",
        "create",
        "my_shop",
        "--framework",
        "elixir",
        "--description",
        "A shop",
        "--code-repo",
        "https://github.com/acme/my_shop.git",
        "--docs-repo",
        "https://github.com/acme/my_shop_docs",
    ]);
    assert_eq!(
        (s(&p["stage"]), s(&p["setup_status"]), s(&p["framework"])),
        ("draft", "created", "elixir")
    );
    assert_eq!(s(&p["code_repo"]), "https://github.com/acme/my_shop");
    let id = s(&p["id"]).to_owned();
    assert_eq!(s(&cli.ok(&["project", "show", &id])["name"]), "my_shop");
    let p = cli.ok(&[
        "project",
        "update",
        "my_shop",
        "--description",
        "",
        "--executive-summary",
        "Sell",
        "--approve-summary",
        "true",
    ]);
    assert_eq!(
        (&p["description"], p["executive_summary_approved"].as_bool()),
        (&serde_json::Value::Null, Some(true))
    );

    let table = cli.run(&["project", "list"]);
    assert_eq!(table.code, 0);
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert!(
        lines[0].starts_with("NAME     REPOSITORY    STAGE  SETUP    FRAMEWORK"),
        "{}",
        table.stdout
    );
    assert!(
        lines[1].starts_with("my_shop  acme/my_shop  draft  created  elixir"),
        "{}",
        table.stdout
    );

    let m = cli.ok(&["member", "add", "my_shop", "bob@example.com", "--role", "viewer"]);
    assert_eq!(s(&m["role"]), "viewer");
    assert_eq!(cli.ok(&["member", "list", "my_shop"]).as_array().map(Vec::len), Some(2));
    let e = cli
        .fails(&["--as", "bob@example.com", "story", "create", "-p", "my_shop", "--title", "x"], 6);
    assert_eq!(s(&e["code"]), "forbidden");
    cli.ok(&["--as", "ada@example.com", "member", "remove", "my_shop", "bob@example.com"]);
    assert_eq!(cli.ok(&["member", "list", "my_shop"]).as_array().map(Vec::len), Some(1));

    let stage = cli.ok(&["stage", "show", "my_shop"]);
    assert_eq!(stage["allowed"][0]["to"], "estimated");
    cli.ok(&["stage", "move", "my_shop", "estimated", "--reason", "estimated"]);
    cli.ok(&["stage", "move", "my_shop", "archived", "--reason", "paused"]);
    let p = cli.ok(&["stage", "move", "my_shop", "estimated", "--reason", "resumed"]);
    assert_eq!(s(&p["stage"]), "estimated");
    let history = cli.ok(&["stage", "history", "my_shop"]);
    let reasons: Vec<&str> = history.as_array().unwrap().iter().map(|t| s(&t["reason"])).collect();
    assert_eq!(reasons, ["estimated", "paused", "resumed"]);

    cli.ok(&["project", "delete", "my_shop"]);
    cli.fails(&["project", "show", &id], 4);
}

#[test]
fn stories_contexts_components_docs_and_sessions() {
    let cli = Cli::signed_up("ada@example.com");
    cli.ok(&["project", "create", "my_shop"]);

    // Stories, with optimistic versions.
    let story = cli.run_with_input(
        &[
            "--json",
            "story",
            "create",
            "-p",
            "my_shop",
            "--title",
            "Pay",
            "--description",
            "-",
            "--criteria",
            "- card",
        ],
        "As a buyer I pay\n",
    );
    assert_eq!(story.code, 0, "{}", story.stderr);
    let story = story.json();
    let sid = s(&story["id"]).to_owned();
    assert_eq!(s(&story["description"]), "As a buyer I pay\n");
    let st = cli.ok(&["story", "update", &sid, "--version", "1", "--title", "Pay by card"]);
    assert_eq!(st["version"], 2);
    let e = cli.fails(&["story", "update", &sid, "--version", "1", "--title", "Pay in cash"], 5);
    assert_eq!(s(&e["field"]), "version");
    assert_eq!(s(&cli.ok(&["story", "show", &sid])["title"]), "Pay by card");
    assert_eq!(cli.ok(&["story", "approve", &sid, "--version", "2"])["approved"], true);
    assert_eq!(cli.ok(&["story", "dirty", &sid])["dirty"], true);
    assert_eq!(cli.ok(&["story", "clean", &sid])["dirty"], false);
    let st = cli.ok(&["story", "update", &sid, "--version", "3", "--status", "ready"]);
    assert_eq!(s(&st["status"]), "ready");
    assert_eq!(cli.ok(&["story", "list", "-p", "my_shop"]).as_array().map(Vec::len), Some(1));

    // Contexts by name, linked to the story.
    let ctx =
        cli.ok(&["context", "create", "-p", "my_shop", "Payments", "--purpose", "Take money"]);
    assert_eq!(s(&ctx["type"]), "domain");
    cli.ok(&["context", "link", "Payments", "-p", "my_shop", "--story", &sid]);
    let linked = cli.ok(&["context", "stories", "Payments", "-p", "my_shop"]);
    assert_eq!(s(&linked[0]["id"]), sid);
    cli.ok(&["context", "clean", "Payments", "-p", "my_shop"]);
    cli.ok(&["story", "update", &sid, "--version", "4", "--criteria", "- card\n- cash"]);
    assert_eq!(cli.ok(&["context", "show", "Payments", "-p", "my_shop"])["dirty"], true);
    let c = cli.ok(&[
        "context",
        "update",
        "Payments",
        "-p",
        "my_shop",
        "--version",
        "1",
        "--type",
        "coordination",
    ]);
    assert_eq!((s(&c["type"]), c["version"].as_i64()), ("coordination", Some(2)));
    assert_eq!(
        cli.ok(&["context", "approve", "Payments", "-p", "my_shop", "--version", "2"])["approved"],
        true
    );
    assert_eq!(cli.ok(&["context", "list", "-p", "my_shop"]).as_array().map(Vec::len), Some(1));
    cli.ok(&["context", "unlink", "Payments", "-p", "my_shop", "--story", &sid]);

    // Components and the dependency graph.
    cli.ok(&[
        "component",
        "create",
        "-p",
        "my_shop",
        "Payments",
        "--type",
        "context",
        "--file",
        "lib/my_shop/payments.ex",
        "--context",
        "Payments",
    ]);
    cli.ok(&[
        "component",
        "create",
        "-p",
        "my_shop",
        "Payments.Charge",
        "--type",
        "schema",
        "--file",
        "./lib\\my_shop\\payments\\charge.ex",
    ]);
    cli.ok(&[
        "component",
        "create",
        "-p",
        "my_shop",
        "Web.PayLive",
        "--type",
        "liveview",
        "--file",
        "lib/my_shop_web/live/pay_live.ex",
    ]);
    let charge = cli.ok(&["component", "show", "Payments.Charge", "-p", "my_shop"]);
    assert_eq!(s(&charge["file_path"]), "lib/my_shop/payments/charge.ex");
    cli.ok(&["component", "depend", "Payments", "-p", "my_shop", "--on", "Payments.Charge"]);
    cli.ok(&["component", "depend", "Web.PayLive", "-p", "my_shop", "--on", "Payments"]);
    let e = cli.fails(
        &["component", "depend", "Payments.Charge", "-p", "my_shop", "--on", "Web.PayLive"],
        5,
    );
    assert_eq!(s(&e["message"]), "adding this dependency would form a cycle: Payments.Charge -> Web.PayLive -> Payments -> Payments.Charge");
    let e = cli.fails(
        &["component", "update", "Payments.Charge", "-p", "my_shop", "--file", "../evil.ex"],
        3,
    );
    assert_eq!(s(&e["field"]), "file_path");
    for name in ["Payments", "Payments.Charge", "Web.PayLive"] {
        cli.ok(&["component", "clean", name, "-p", "my_shop"]);
    }
    cli.ok(&[
        "component",
        "update",
        "Payments.Charge",
        "-p",
        "my_shop",
        "--description",
        "A card charge",
    ]);
    let dirty: Vec<bool> = cli
        .ok(&["component", "list", "-p", "my_shop"])
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["dirty"].as_bool().unwrap())
        .collect();
    assert_eq!(dirty, [true, false, true], "Payments and Web.PayLive depend on Payments.Charge");
    let st = cli.ok(&[
        "component",
        "status",
        "Payments",
        "-p",
        "my_shop",
        "--docs",
        "true",
        "--tests",
        "true",
    ]);
    assert_eq!(
        (
            st["docs_complete"].as_bool(),
            st["code_complete"].as_bool(),
            st["tests_complete"].as_bool()
        ),
        (Some(true), Some(false), Some(true))
    );
    assert_eq!(
        s(&cli.ok(&["component", "deps", "Payments", "-p", "my_shop"])[0]["name"]),
        "Payments.Charge"
    );
    assert_eq!(
        s(&cli.ok(&["component", "dependents", "Payments", "-p", "my_shop"])[0]["name"]),
        "Web.PayLive"
    );
    let graph = cli.ok(&["component", "graph", "-p", "my_shop"]);
    assert_eq!(graph["dependencies"].as_array().map(Vec::len), Some(2));
    let text = cli.run(&["component", "graph", "-p", "my_shop"]);
    assert!(text.stdout.contains("Web.PayLive (dirty) -> Payments"), "{}", text.stdout);

    // Design docs.
    let doc = cli.run_with_input(
        &["--json", "doc", "save", "Payments", "-p", "my_shop", "--content", "-"],
        "# Payments\n",
    );
    assert_eq!(doc.code, 0, "{}", doc.stderr);
    cli.ok(&["doc", "approve", "Payments", "-p", "my_shop", "--version", "1"]);
    let e = cli.fails(
        &["doc", "save", "Payments", "-p", "my_shop", "--version", "1", "--content", "# old"],
        5,
    );
    assert_eq!(s(&e["field"]), "version");
    let shown = cli.run(&["doc", "show", "Payments", "-p", "my_shop"]);
    assert!(
        shown.stdout.ends_with("# Payments\n") && shown.stdout.contains("approved: yes"),
        "{}",
        shown.stdout
    );

    // Sessions.
    let target = s(&charge["id"]).to_owned();
    let session = cli.ok(&[
        "session",
        "create",
        "-p",
        "my_shop",
        "--type",
        "design",
        "--target-type",
        "component",
        "--target",
        &target,
    ]);
    let session_id = s(&session["id"]).to_owned();
    cli.ok(&["session", "status", &session_id, "in_progress"]);
    assert_eq!(
        cli.ok(&["session", "list", "-p", "my_shop", "--active"]).as_array().map(Vec::len),
        Some(1)
    );
    cli.fails(&["session", "status", &session_id, "pending"], 5);
    assert_eq!(s(&cli.ok(&["session", "status", &session_id, "complete"])["status"]), "complete");
    assert_eq!(s(&cli.ok(&["session", "show", &session_id])["status"]), "complete");
    assert_eq!(
        cli.ok(&["session", "list", "-p", "my_shop", "--active"]).as_array().map(Vec::len),
        Some(0)
    );

    // Deletes.
    cli.ok(&["component", "undepend", "Web.PayLive", "-p", "my_shop", "--on", "Payments"]);
    cli.ok(&["component", "delete", "Web.PayLive", "-p", "my_shop"]);
    cli.ok(&["context", "delete", "Payments", "-p", "my_shop"]);
    cli.ok(&["story", "delete", &sid]);
    assert_eq!(cli.ok(&["story", "list", "-p", "my_shop"]).as_array().map(Vec::len), Some(0));
    assert_eq!(cli.ok(&["component", "list", "-p", "my_shop"]).as_array().map(Vec::len), Some(2));
}

/// `stage why` says which rule would move a project next from what GitHub showed and what is
/// missing; the moves GitHub's evidence made are in `stage history` by the GitHub sync.
#[test]
fn stage_why_names_the_next_rule_and_what_is_missing() {
    use codemyspec_core::stage_rules::{self, Checks, Evidence};
    let cli = Cli::signed_up("ada@example.com");
    let id = s(&cli.ok(&["project", "create", "my_shop"])["id"]).to_owned();
    let text = cli.run(&["stage", "why", "my_shop"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    assert!(text.stdout.contains("no rule moves it further"), "{}", text.stdout);

    // What the activity reads would keep after seeing IMPLEMENTATION.md on main.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = codemyspec_core::Store::open(cli.data_dir()).await.unwrap();
        sqlx::query("UPDATE projects SET stage = 'initialized' WHERE id = ?")
            .bind(&id)
            .execute(store.pool())
            .await
            .unwrap();
        let evidence = Evidence {
            branch: "main".into(),
            head: Some("0123456789abcdef".into()),
            files: vec!["IMPLEMENTATION.md".into()],
            checks: Checks::Pending,
            merged: vec![],
        };
        stage_rules::follow(&store, &id.parse::<codemyspec_core::ProjectId>().unwrap(), &evidence)
            .await
            .unwrap();
        store.close().await;
    });

    let text = cli.run(&["stage", "why", "my_shop"]);
    assert_eq!(text.code, 0, "{}", text.stderr);
    let lines: Vec<&str> = text.stdout.lines().collect();
    assert_eq!(lines[0], "my_shop is designed");
    assert_eq!(lines[1], "GitHub shows: main at 0123456");
    assert_eq!(
        lines[2],
        "next: implemented — missing: no branch matching feature/* merged into main"
    );
    assert_eq!(lines[3], "then: verified — missing: checks still running on main at 0123456");
    let why = cli.ok(&["stage", "why", "my_shop"]);
    assert_eq!(s(&why["rules"][0]["stage"]), "implemented");
    assert_eq!(why["rules"][0]["holds"], false);
    let history = cli.ok(&["stage", "history", "my_shop"]);
    let by_github: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["trigger"] == "sync")
        .map(|t| s(&t["to_stage"]))
        .collect();
    assert_eq!(by_github, ["designing", "designed"]);
}
