use crate::support::*;

#[test]
fn error_classes_have_distinct_exit_codes_and_typed_json() {
    let cli = Cli::signed_up("ada@example.com");
    cli.ok(&["project", "create", "my_shop"]);

    let e = cli.fails(&["project", "create", "My-Shop"], 3);
    assert_eq!((s(&e["code"]), s(&e["field"])), ("invalid_input", "name"));
    let e = cli.fails(&["project", "create", "x", "--code-repo", "https://gitlab.com/a/b"], 3);
    assert_eq!(s(&e["field"]), "code_repo");
    let e = cli.fails(&["project", "show", "nope"], 4);
    assert_eq!(s(&e["code"]), "not_found");
    let e = cli.fails(&["project", "create", "my_shop"], 5);
    assert_eq!(s(&e["code"]), "conflict");
    let e = cli.fails(&["stage", "move", "my_shop", "active"], 5);
    assert!(s(&e["message"]).contains("allowed from draft: estimated, archived"), "{e}");
    let e = cli.fails(&["stage", "move", "my_shop", "shipped"], 3);
    assert!(s(&e["message"]).contains("use one of: draft, estimated"), "{e}");

    // A second profile sees nothing of the first's project.
    let run = cli
        .run_with_input(&["account", "create", "--email", "eve@example.com"], "another password\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let e = cli.fails(&["--as", "eve@example.com", "project", "show", "my_shop"], 4);
    assert_eq!(s(&e["code"]), "not_found");
    let list = cli.ok(&["--as", "eve@example.com", "project", "list"]);
    assert_eq!(list.as_array().map(Vec::len), Some(0));
    // With two profiles and no --as, the last one used acts.
    assert_eq!(s(&cli.ok(&["account", "show"])["email"]), "eve@example.com");

    // Wrong password: exit 7, and the same message as an unknown email.
    let wrong =
        cli.run_with_input(&["--json", "account", "login", "--email", "ada@example.com"], "bad\n");
    let unknown =
        cli.run_with_input(&["--json", "account", "login", "--email", "zed@example.com"], "bad\n");
    assert_eq!((wrong.code, unknown.code), (7, 7));
    assert_eq!(wrong.error(), unknown.error());
}

#[test]
fn human_errors_name_the_code_and_field() {
    let cli = Cli::signed_up("ada@example.com");
    let run = cli.run(&["project", "create", "server"]);
    assert_eq!(run.code, 3);
    assert_eq!(
        run.stderr.trim(),
        "error[invalid_input]: \"server\" is reserved by Phoenix (field: name)"
    );
    let fresh = Cli::new();
    let run = fresh.run(&["project", "list"]);
    assert_eq!(run.code, 7);
    assert!(run.stderr.contains("no profile yet"), "{}", run.stderr);
}

#[test]
fn an_api_of_another_host_is_refused_with_the_command_that_resets_it() {
    let cli = Cli::new();
    cli.ok(&["config", "set", "github_host", "ghe.example.com"]);
    let run = cli.run(&["config", "set", "github_api_url", "https://api.github.com"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains("is sent only to https://ghe.example.com/api/v3")
            && run.stderr.contains("empty it with `codemyspec config set github_api_url \"\"`")
            && run.stderr.trim_end().ends_with("(field: github_api_url)"),
        "{}",
        run.stderr
    );
    // Scripts read the same words in the JSON error.
    let e = cli.fails(&["config", "set", "github_api_url", "https://api.github.com"], 3);
    assert_eq!(s(&e["field"]), "github_api_url");
    assert!(s(&e["message"]).ends_with("`codemyspec config set github_api_url \"\"`"), "{e}");
}
