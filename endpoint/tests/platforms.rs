//! Tokens for the real platforms (#20): the Shopify app proxy answered by
//! the endpoint itself, and the WordPress plugin's token verified by the
//! endpoint. Through real HTTP; the plugin runs in Debian's PHP.

mod common;

use common::{now, Server};
use loyalty_endpoint::shopify;
use std::process::Command;

const APP_SECRET: &[u8] = b"shopify-app-secret-for-tests";
const SECRET_32: &str = "a-loyalty-secret-of-32-bytes-ok!";

fn shopify_server() -> Server {
    Server::with(|config| config.shopify_secret = Some(APP_SECRET.to_vec()))
}

/// The query Shopify's proxy sends, signed with `secret`.
fn proxy_query(secret: &[u8], customer: &str, timestamp: u64) -> String {
    let timestamp = timestamp.to_string();
    let params = [
        ("shop", "morgenrot.myshopify.com"),
        ("logged_in_customer_id", customer),
        ("path_prefix", "/apps/loyalty"),
        ("timestamp", timestamp.as_str()),
    ];
    let signature = shopify::sign(secret, &params);
    let mut query: String = params
        .iter()
        .map(|(k, v)| format!("{k}={}&", v.replace('/', "%2F")))
        .collect();
    query.push_str(&format!("signature={signature}"));
    query
}

#[test]
fn a_signed_app_proxy_request_gets_a_token_for_the_signed_in_customer() {
    let server = shopify_server();
    let reply = server.get(
        &format!(
            "/shopify/proxy/token?{}",
            proxy_query(APP_SECRET, "cust-anna", now())
        ),
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
    let token = reply.json()["token"].as_str().expect("a token").to_owned();
    let summary = server.get("/v1/customer", Some(&token));
    assert_eq!(summary.status, 200, "{}", summary.body);
    assert_eq!(summary.json()["first_name"], "Anna");
}

#[test]
fn tampered_stale_unsigned_and_foreign_proxy_requests_are_refused() {
    let server = shopify_server();
    let signed = proxy_query(APP_SECRET, "cust-anna", now());
    let cases = [
        (
            "another customer's id under Anna's signature",
            signed.replace("cust-anna", "cust-carla"),
        ),
        (
            "signed with another app's secret",
            proxy_query(b"another-app", "cust-anna", now()),
        ),
        (
            "signed ten minutes ago",
            proxy_query(APP_SECRET, "cust-anna", now() - 600),
        ),
        (
            "no signature",
            signed
                .split("&signature=")
                .next()
                .unwrap_or_default()
                .to_owned(),
        ),
        ("a signature that is not hex", format!("{signed}zz")),
    ];
    for (what, query) in cases {
        let reply = server.get(&format!("/shopify/proxy/token?{query}"), None);
        assert_eq!(reply.status, 401, "{what}: {}", reply.body);
        assert_eq!(reply.code(), "unauthorized", "{what}");
    }
}

#[test]
fn a_guest_gets_no_token_and_the_route_exists_only_with_an_app_secret() {
    let server = shopify_server();
    let reply = server.get(
        &format!(
            "/shopify/proxy/token?{}",
            proxy_query(APP_SECRET, "", now())
        ),
        None,
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.json()["token"].is_null(), "{}", reply.body);
    let plain = Server::start();
    let reply = plain.get(
        &format!(
            "/shopify/proxy/token?{}",
            proxy_query(APP_SECRET, "cust-anna", now())
        ),
        None,
    );
    assert_eq!(reply.status, 404);
}

/// Runs the WordPress plugin in PHP for WordPress user `user`.
fn wordpress(user: u32, secret: &str) -> serde_json::Value {
    let harness = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/wordpress/harness.php");
    let output = Command::new("php")
        .arg(harness)
        .env("LOYALTY_TEST_USER", user.to_string())
        .env("LOYALTY_TEST_SECRET", secret)
        .output()
        .expect("php runs (Debian's php-cli; scripts/setup.sh installs it)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the harness prints JSON")
}

#[test]
fn the_wordpress_plugins_token_is_verified_by_the_endpoint() {
    let server = Server::with(|config| config.secret = SECRET_32.as_bytes().to_vec());
    // User 7 is mapped to cust-anna by the site's filter.
    let out = wordpress(7, SECRET_32);
    let token = out["token"].as_str().expect("a token");
    let reply = server.get("/v1/customer", Some(token));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["first_name"], "Anna");
    // The shortcode prints the element with that token, in German.
    let html = out["html"].as_str().expect("html");
    assert!(html.contains(&format!(r#"token="{token}""#)), "{html}");
    assert!(html.contains(r#"mode="launcher" lang="de-DE""#), "{html}");
    assert!(
        html.contains(
            r#"<script async src="https://cdn.example.com/loyalty-widget/loyalty-widget.js">"#
        ),
        "{html}"
    );
    // A token signed with another secret is refused.
    let other = wordpress(7, "another-secret-that-is-32-bytes!");
    let reply = server.get("/v1/customer", other["token"].as_str());
    assert_eq!(reply.status, 401);
}

#[test]
fn the_wordpress_plugin_gives_guests_the_guest_view_and_short_secrets_nothing() {
    // A guest: the widget without a token (its guest view), never a token.
    let guest = wordpress(0, SECRET_32);
    assert_eq!(guest["token"], "");
    let html = guest["html"].as_str().expect("html");
    assert!(html.starts_with("<loyalty-widget "), "{html}");
    assert!(!html.contains("token="), "{html}");
    let short = wordpress(7, "too-short");
    assert_eq!(short["token"], "");
    assert_eq!(short["html"], "");
}
