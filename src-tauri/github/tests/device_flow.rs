//! The device flow against the local GitHub stand-in answering absurd timings: whatever a
//! server says for `expires_in` and `interval`, the sign-in neither panics, overflows nor
//! waits forever.

use codemyspec_github::{
    DeviceCode, DeviceFlow, DevicePoll, MAX_EXPIRES_IN_SECS, MAX_INTERVAL_SECS,
};
use codemyspec_tests::GitHubStandIn;
use serde_json::json;
use std::time::Duration;

/// GitHub's `POST /login/device/code` answer (tests/support/github-api/device-code.200.json)
/// with the two timings replaced by raw JSON numbers.
fn device_code_answer(gh: &GitHubStandIn, expires_in: &str, interval: &str) {
    let body = format!(
        r#"{{"device_code": "3584d83530557fdd1f46af8289938c8ef79f9dc5", "user_code": "WDJB-MJHT",
            "verification_uri": "{}/login/device", "expires_in": {expires_in}, "interval": {interval}}}"#,
        gh.url()
    );
    gh.control(
        "fail",
        json!({ "method": "POST", "path": "/login/device/code", "status": 200, "body": body }),
    );
}

#[tokio::test]
async fn a_device_code_with_absurd_timings_is_shown_with_a_bounded_life_and_pace() {
    let gh = GitHubStandIn::start();
    let flow = DeviceFlow::new(&gh.url(), "Iv1.standin").unwrap();
    // Past u64, negative, fractional, zero: each reads as a code the person can use.
    for (expires_in, interval) in [
        ("18446744073709551615", "18446744073709551615"),
        ("1e300", "-7"),
        ("-900", "0.5"),
        ("0", "36893488147419103232"),
    ] {
        device_code_answer(&gh, expires_in, interval);
        let code = flow.start("repo read:org").await.unwrap();
        assert_eq!(code.user_code, "WDJB-MJHT");
        assert!(
            (1..=MAX_EXPIRES_IN_SECS).contains(&code.expires_in),
            "expires_in {expires_in} read as {}",
            code.expires_in
        );
        assert!(
            (1..=MAX_INTERVAL_SECS).contains(&code.interval),
            "interval {interval} read as {}",
            code.interval
        );
    }
    // A timing that is not a number at all is a clear refusal, not a crash.
    device_code_answer(&gh, "\"soon\"", "5");
    let err = flow.start("repo").await.unwrap_err();
    assert!(err.to_string().contains("device code could not be read"), "{err}");
}

#[tokio::test]
async fn a_slow_down_asking_for_more_than_u64_seconds_is_capped() {
    let gh = GitHubStandIn::start();
    let flow = DeviceFlow::new(&gh.url(), "Iv1.standin").unwrap();
    // The stand-in answers a slow_down with its interval + 5: past u64::MAX here.
    gh.control("device", json!({ "answers": [], "interval": u64::MAX }));
    let code = flow.start("repo").await.unwrap();
    gh.control("device", json!({ "answers": ["slow_down"], "interval": u64::MAX }));
    match flow.poll(&code).await.unwrap() {
        DevicePoll::SlowDown { interval } => {
            assert!(interval <= MAX_INTERVAL_SECS && interval >= code.interval, "{interval}")
        }
        other => panic!("expected a slow_down, got {other:?}"),
    }
}

#[tokio::test]
async fn a_code_that_lives_u64_max_seconds_still_signs_in() {
    let gh = GitHubStandIn::start();
    let flow = DeviceFlow::new(&gh.url(), "Iv1.standin").unwrap();
    gh.control("device", json!({ "answers": [], "interval": 1 }));
    let code = flow.start("repo").await.unwrap();
    gh.control(
        "device",
        json!({ "answers": ["authorization_pending", "ok"], "token": "gho_after_a_long_life", "interval": 1 }),
    );
    let token =
        flow.wait_for_token(&DeviceCode { expires_in: u64::MAX, interval: 1, ..code }).await;
    assert_eq!(token.unwrap(), "gho_after_a_long_life");
}

#[tokio::test]
async fn an_endless_interval_and_slow_downs_end_in_expired_when_the_code_does() {
    let gh = GitHubStandIn::start();
    let flow = DeviceFlow::new(&gh.url(), "Iv1.standin").unwrap();
    gh.control("device", json!({ "answers": [], "interval": 1 }));
    let code = flow.start("repo").await.unwrap();
    gh.control("device", json!({ "answers": ["slow_down", "slow_down"], "interval": u64::MAX }));
    let waited = tokio::time::timeout(
        Duration::from_secs(60),
        flow.wait_for_token(&DeviceCode { expires_in: 2, interval: u64::MAX, ..code }),
    )
    .await
    .expect("the wait ends with the code, not after u64::MAX seconds");
    let err = waited.unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    let log = gh.control("log", json!({}));
    let polls =
        log.as_array().unwrap().iter().filter(|r| r["path"] == "/login/oauth/access_token").count();
    assert_eq!(polls, 1, "one poll, at the code's expiry: {log}");
}
