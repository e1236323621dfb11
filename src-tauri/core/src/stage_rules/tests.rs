use super::*;

fn phoenix() -> Rules {
    parse(BUILT_IN[0].1, "built-in").expect("the built-in rules read")
}

fn on_main(files: &[&str], checks: Checks, merged: &[&str]) -> Evidence {
    Evidence {
        branch: "main".into(),
        head: Some("1a2b3c4d5e6f".into()),
        files: files.iter().map(|s| s.to_string()).collect(),
        checks,
        merged: merged.iter().map(|s| s.to_string()).collect(),
    }
}

fn passed() -> Checks {
    Checks::Passed { names: vec!["ci / test".into()] }
}

fn stages(hops: &[Hop]) -> Vec<Stage> {
    hops.iter().map(|h| h.to).collect()
}

#[test]
fn the_built_in_rules_read_in_stage_order() {
    for (name, text) in BUILT_IN {
        let rules = parse(text, name).unwrap();
        let order: Vec<Stage> = rules.rules.iter().map(|r| r.stage).collect();
        assert_eq!(order, [Stage::Designed, Stage::Implemented, Stage::Verified], "{name}");
        assert_eq!(rules.checks_fail_in, [Stage::Active, Stage::Maintenance], "{name}");
    }
}

#[test]
fn implementation_md_moves_initialized_through_designing_to_designed_naming_the_file() {
    let hops = plan(
        Stage::Initialized,
        &[],
        false,
        &phoenix(),
        &on_main(&["IMPLEMENTATION.md"], Checks::None, &[]),
    );
    assert_eq!(stages(&hops), [Stage::Designing, Stage::Designed]);
    assert!(hops[1].reason.contains("IMPLEMENTATION.md on main at 1a2b3c4"), "{}", hops[1].reason);
}

#[test]
fn a_rule_that_does_not_hold_stops_the_later_ones() {
    // Checks pass, but nothing was merged: the project stops at designed.
    let evidence = on_main(&["docs/architecture"], passed(), &[]);
    assert_eq!(
        stages(&plan(Stage::Initialized, &[], false, &phoenix(), &evidence)),
        [Stage::Designing, Stage::Designed]
    );
    let evidence = on_main(&["IMPLEMENTATION.md"], passed(), &["feature/cart"]);
    assert_eq!(
        stages(&plan(Stage::Designed, &[], false, &phoenix(), &evidence)),
        [Stage::Implementing, Stage::Implemented, Stage::Verifying, Stage::Verified]
    );
}

#[test]
fn a_rule_never_moves_a_project_back() {
    let evidence = on_main(&["IMPLEMENTATION.md"], Checks::None, &[]);
    assert!(plan(Stage::Verified, &[], false, &phoenix(), &evidence).is_empty());
    assert!(plan(Stage::Maintenance, &[], false, &phoenix(), &evidence).is_empty());
}

#[test]
fn failing_checks_raise_error_only_where_the_rules_say_and_passing_returns_only_githubs_error() {
    let failing = on_main(&[], Checks::Failed { names: vec!["ci / test".into()] }, &[]);
    let hops = plan(Stage::Active, &[], false, &phoenix(), &failing);
    assert_eq!(stages(&hops), [Stage::Error]);
    assert!(
        hops[0].reason.contains("checks failing on main at 1a2b3c4: ci / test"),
        "{}",
        hops[0].reason
    );
    // A project still being built is not an incident.
    assert!(plan(Stage::Designed, &[], false, &phoenix(), &failing).is_empty());
    let passing = on_main(&[], passed(), &[]);
    assert_eq!(
        stages(&plan(Stage::Error, &[Stage::Active], true, &phoenix(), &passing)),
        [Stage::Active]
    );
    // A person's own error stays until the person ends it.
    assert!(plan(Stage::Error, &[Stage::Active], false, &phoenix(), &passing).is_empty());
}

#[test]
fn why_lists_each_rule_ahead_with_what_is_missing() {
    let evidence = on_main(&["IMPLEMENTATION.md"], Checks::Pending, &["fix/typo"]);
    let why = explain(Stage::Initialized, &phoenix(), &evidence);
    assert_eq!(why.len(), 3);
    assert!(why[0].holds && why[0].shown == ["IMPLEMENTATION.md on main at 1a2b3c4"]);
    assert_eq!(why[1].missing, ["no branch matching feature/* merged into main"]);
    assert_eq!(why[2].missing, ["checks still running on main at 1a2b3c4"]);
    assert!(explain(Stage::Verified, &phoenix(), &evidence).is_empty());
}

#[test]
fn a_bad_rules_file_is_refused_with_what_is_wrong() {
    let err = |text: &str| parse(text, "mine.stages.toml").unwrap_err().to_string();
    assert!(err("[[rules]]\nstage = \"draft\"\nwhen.checks = \"passed\"")
        .contains("draft is not a stage evidence can reach"));
    assert!(err("[[rules]]\nstage = \"verified\"\nwhen.checks = \"passed\"\n[[rules]]\nstage = \"designed\"\nwhen.any_file = [\"A.md\"]")
        .contains("out of stage order"));
    assert!(
        err("[[rules]]\nstage = \"designed\"\nwhen.any_file = []").contains("names no evidence")
    );
    assert!(err("[[rules]]\nstage = \"designed\"\nwhen.merged = \"[\"").contains("merged"));
    assert!(
        err("[[rules]]\nstage = \"designed\"\nwhen.file = \"A.md\"").contains("mine.stages.toml")
    );
}
