//! `GET /v1/referrals/{code}` (#20): what a visitor who arrives through a
//! referral link is offered. Public, rate-limited per client, through real
//! HTTP.

mod common;

use common::Server;

#[test]
fn a_referral_code_tells_the_friends_gift_and_the_referrers_first_name() {
    let server = Server::start();
    let reply = server.get("/v1/referrals/ANNA10?lang=de", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert_eq!(body["code"], "ANNA10");
    assert_eq!(body["program_name"], "Morgenrot Kaffeeklub");
    assert_eq!(body["friend_gift"], "5 € Rabatt auf die erste Bestellung");
    assert_eq!(body["referrer_first_name"], "Anna");
    // Codes are matched without regard to case, and answered in English.
    let reply = server.get("/v1/referrals/anna10?lang=en", None);
    assert_eq!(reply.json()["friend_gift"], "€5 off the first order");
    assert_eq!(reply.json()["code"], "ANNA10");
    let decoded: loyalty_core::contract::ReferralInvite =
        common::decode(&reply.body).expect("the contract type reads it");
    assert_eq!(decoded.referrer_first_name.as_deref(), Some("Anna"));
}

#[test]
fn the_referrers_name_stays_private_unless_the_program_shows_it() {
    let private = loyalty_endpoint::program::parse(
        &loyalty_endpoint::program::DEMO
            .replace("show_referrer_name = true", "show_referrer_name = false"),
    )
    .expect("valid");
    let server = Server::with(|config| {
        config.program = Some(private);
        config.demo = true;
    });
    let reply = server.get("/v1/referrals/ANNA10", None);
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = reply.json();
    assert!(body["referrer_first_name"].is_null(), "{body}");
    assert_eq!(body["friend_gift"], "€5 off the first order");
}

#[test]
fn unknown_codes_are_not_found_and_guessing_is_rate_limited() {
    let server = Server::start();
    let reply = server.get("/v1/referrals/NOPE99", None);
    assert_eq!(reply.status, 404);
    assert_eq!(reply.code(), "not_found");
    // 20 at once are allowed (one was used above); then 429 with Retry-After.
    let statuses: Vec<u16> = (0..25)
        .map(|i| server.get(&format!("/v1/referrals/GUESS{i}"), None).status)
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 404).count(),
        19,
        "{statuses:?}"
    );
    let limited = server.get("/v1/referrals/ANNA10", None);
    assert_eq!(limited.status, 429);
    assert_eq!(limited.code(), "rate_limited");
    assert_eq!(limited.header("retry-after"), Some("2"));
}
