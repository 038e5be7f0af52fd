use super::*;

const KVS: &str = "arn:aws:cloudfront::123456789012:key-value-store/k1";

fn wanted() -> Wanted<'static> {
    Wanted {
        name: "webchat",
        path_prefix: "/msr-webchat/",
        request_code: "request code",
        response_code: "response code",
    }
}

fn default_behaviour(functions: &[(&str, &str)]) -> SeenBehaviour {
    SeenBehaviour {
        pattern: None,
        functions: functions
            .iter()
            .map(|(e, a)| ((*e).into(), (*a).into()))
            .collect(),
        lambda_events: vec![],
    }
}

fn ours(role: Role) -> String {
    format!(
        "arn:aws:cloudfront::123456789012:function/{}",
        role.function_name("webchat")
    )
}

/// A setup CloudFront has finished: both functions published with the generated code and
/// associated with the default behaviour.
fn finished() -> Seen {
    let f = |code: &str, kvs: &[&str]| SeenFunction {
        development_code: code.into(),
        kvs_arns: kvs.iter().map(|s| (*s).into()).collect(),
        live_code: Some(code.into()),
    };
    Seen {
        kvs_arn: Some(KVS.into()),
        request: Some(f("request code", &[KVS])),
        response: Some(f("response code", &[])),
        behaviours: vec![default_behaviour(&[
            ("viewer-request", &ours(Role::Request)),
            ("viewer-response", &ours(Role::Response)),
        ])],
    }
}

#[test]
fn a_fresh_distribution_gets_every_step_in_order() {
    let seen = Seen {
        behaviours: vec![default_behaviour(&[])],
        ..Seen::default()
    };
    let steps = plan(&wanted(), &seen, None).unwrap();
    let calls: Vec<_> = steps.iter().map(Step::call).collect();
    assert_eq!(
        calls,
        [
            "CreateKeyValueStore",
            "CreateFunction",
            "TestFunction",
            "PublishFunction",
            "CreateFunction",
            "TestFunction",
            "PublishFunction",
            "UpdateDistribution"
        ]
    );
    assert_eq!(
        steps[1],
        Step::CreateFunction {
            role: Role::Request,
            name: "webchat-request".into()
        }
    );
}

#[test]
fn a_finished_setup_plans_nothing() {
    assert_eq!(plan(&wanted(), &finished(), Some(KVS)).unwrap(), vec![]);
}

#[test]
fn new_code_is_updated_tested_and_published_and_unpublished_code_is_published() {
    let mut seen = finished();
    seen.request.as_mut().unwrap().development_code = "older".into();
    seen.response.as_mut().unwrap().live_code = None;
    let steps = plan(&wanted(), &seen, None).unwrap();
    let calls: Vec<_> = steps.iter().map(Step::call).collect();
    assert_eq!(
        calls,
        [
            "UpdateFunction",
            "TestFunction",
            "PublishFunction",
            "TestFunction",
            "PublishFunction"
        ]
    );
}

#[test]
fn a_request_function_on_another_store_is_updated() {
    let mut seen = finished();
    seen.request.as_mut().unwrap().kvs_arns = vec!["arn:other".into()];
    let steps = plan(&wanted(), &seen, None).unwrap();
    assert!(matches!(
        steps[0],
        Step::UpdateFunction {
            role: Role::Request,
            ..
        }
    ));
}

#[test]
fn only_the_behaviours_alias_paths_select_are_associated() {
    let mut seen = finished();
    let other = SeenBehaviour {
        pattern: Some("/api/*".into()),
        functions: vec![],
        lambda_events: vec![],
    };
    let maps = SeenBehaviour {
        pattern: Some("msr-webchat/*.map".into()),
        functions: vec![],
        lambda_events: vec![],
    };
    seen.behaviours.insert(0, other);
    seen.behaviours.insert(1, maps);
    let steps = plan(&wanted(), &seen, None).unwrap();
    assert_eq!(
        steps,
        vec![Step::Associate {
            behaviours: vec!["behaviour 'msr-webchat/*.map'".into()]
        }]
    );
}

#[test]
fn a_taken_event_or_a_lambda_refuses_with_the_behaviour_named() {
    let mut seen = finished();
    seen.behaviours[0].functions[0].1 = "arn:aws:cloudfront::1:function/someone-else".into();
    let e = plan(&wanted(), &seen, None).unwrap_err();
    assert!(matches!(e, SetupError::EventTaken { .. }), "{e}");
    assert!(e.to_string().contains("the default behaviour"), "{e}");
    assert!(e.to_string().contains("someone-else"), "{e}");

    let mut seen = finished();
    seen.behaviours[0].functions.clear();
    seen.behaviours[0].lambda_events = vec!["viewer-response".into()];
    let e = plan(&wanted(), &seen, None).unwrap_err();
    assert!(e.to_string().contains("Lambda@Edge"), "{e}");
}

#[test]
fn a_configured_arn_must_be_the_named_stores() {
    let e = plan(
        &wanted(),
        &finished(),
        Some("arn:aws:cloudfront::1:key-value-store/x"),
    )
    .unwrap_err();
    assert!(matches!(e, SetupError::KvsMismatch { .. }), "{e}");
}

#[test]
fn path_patterns_match_as_cloudfront_matches() {
    assert!(pattern_matches("*", "/a/b"));
    assert!(pattern_matches(
        "/msr-webchat/*",
        "/msr-webchat/latest/x.js"
    ));
    assert!(pattern_matches("msr-webchat/*", "/msr-webchat/latest/x.js"));
    assert!(pattern_matches("*.js", "/msr-webchat/latest/x.js"));
    assert!(pattern_matches("/msr-webchat/v?/*", "/msr-webchat/v1/x.js"));
    assert!(!pattern_matches(
        "/msr-webchat/v?/*",
        "/msr-webchat/v1.0/x.js"
    ));
    assert!(!pattern_matches("*.JS", "/a/x.js"));
    assert!(!pattern_matches("/api/*", "/msr-webchat/latest/x.js"));
    assert!(pattern_matches("a*b*c", "/aXXbYYc"));
    assert!(!pattern_matches("a*b*c", "/aXXbYY"));
}

#[test]
fn names_are_checked_for_cloudfronts_rules() {
    assert!(check_name("shipdeck-E1ABC_2").is_ok());
    assert!(check_name("").is_err());
    assert!(check_name("has space").is_err());
    assert!(check_name(&"a".repeat(MAX_NAME_CHARS)).is_ok());
    assert!(check_name(&"a".repeat(MAX_NAME_CHARS + 1)).is_err());
    assert!(
        Role::Response
            .function_name(&"a".repeat(MAX_NAME_CHARS))
            .len()
            <= 64
    );
}

#[test]
fn the_test_events_are_cloudfront_events_for_an_alias() {
    let e: serde_json::Value =
        serde_json::from_str(&test_event(Role::Response, "/msr-webchat/")).unwrap();
    assert_eq!(e["context"]["eventType"], "viewer-response");
    assert_eq!(
        e["request"]["uri"],
        "/msr-webchat/latest/msr-webchat.umd.js"
    );
    assert!(
        e["response"]["headers"]["cache-control"]["value"]
            .as_str()
            .unwrap()
            .contains("immutable")
    );
    let r: serde_json::Value = serde_json::from_str(&test_event(Role::Request, "")).unwrap();
    assert_eq!(r["request"]["uri"], "/latest/msr-webchat.umd.js");
    assert!(r.get("response").is_none());
}
