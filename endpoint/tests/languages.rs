//! The backend speaks every language of its program: texts from the program
//! file in the reader's language, the backend's own words (ways to earn,
//! history labels) from its packs with each language's plural forms, and
//! a history rendered when read, so a customer who switches language reads
//! all of it in the new one.

mod common;

use common::{value, Server};

fn get(server: &Server, path: &str, customer: Option<&str>) -> serde_json::Value {
    let token = customer.map(|c| server.token(c));
    let reply = server.get(path, token.as_deref());
    assert_eq!(reply.status, 200, "{path}: {}", reply.body);
    value(&reply)
}

#[test]
fn the_program_and_its_ways_to_earn_in_each_language() {
    let server = Server::start();
    let cases = [
        (
            "fr",
            "Club Café Morgenrot",
            "1 point par euro",
            "Livraison offerte",
        ),
        (
            "pl",
            "Klub Kawowy Morgenrot",
            "1 punkt za 1 euro",
            "Darmowa dostawa",
        ),
        (
            "de-AT",
            "Morgenrot Kaffeeklub",
            "1 Punkt pro Euro",
            "Gratisversand",
        ),
        (
            "pt-BR",
            "Clube do Café Morgenrot",
            "1 ponto por cada euro",
            "Envio grátis",
        ),
    ];
    for (tag, name, per_euro, shipping) in cases {
        let program = get(&server, &format!("/v1/program?lang={tag}"), None);
        assert_eq!(program["name"], name, "{tag}");
        assert_eq!(program["earning"][1]["points_text"], per_euro, "{tag}");
        assert_eq!(program["rewards"][0]["title"], shipping, "{tag}");
    }
    // Polish counts: 50 -> "punktów", 200 -> "punktów", 100 -> "punktów".
    let polish = get(&server, "/v1/program?lang=pl", None);
    assert_eq!(polish["earning"][2]["points_text"], "50 punktów");
}

#[test]
fn the_history_is_in_the_reader_s_language_whenever_it_was_booked() {
    let server = Server::start();
    let label = |tag: &str| -> Vec<String> {
        let page = get(
            &server,
            &format!("/v1/activity?lang={tag}"),
            Some("cust-anna"),
        );
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|item| item["label"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let german = label("de");
    let french = label("fr");
    assert!(
        german.iter().any(|l| l.starts_with("Bestellung #")),
        "{german:?}"
    );
    assert!(
        french.iter().any(|l| l.starts_with("Commande #")),
        "{french:?}"
    );
    assert!(!french
        .iter()
        .any(|l| l.starts_with("Order") || l.starts_with("Bestellung")));
    // A redemption reads as its reward in the reader's language.
    let reply = server
        .post(
            "/v1/redemptions?lang=de",
            &server.token("cust-anna"),
            "lang-redeem",
            r#"{"reward_id":"r-5eur"}"#,
        )
        .expect("an answer");
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(label("it")[0], "Buono da 5\u{a0}€");
    assert_eq!(label("de")[0], "5-€-Gutschein");
    let list = get(&server, "/v1/redemptions?lang=sv", Some("cust-anna"));
    assert_eq!(list["items"][0]["title"], "Värdecheck på 5\u{a0}€");
    // An adjustment keeps the shop's own words in every language.
    let auth = format!("Bearer {}", String::from_utf8_lossy(common::ADMIN_KEY));
    let reply = server
        .send(
            "POST",
            "/admin/v1/customers/cust-anna/adjustments",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
                ("Idempotency-Key", "lang-adjust"),
            ],
            r#"{"points":5,"reason":"Danke für die Geduld"}"#,
        )
        .expect("an answer");
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(label("fr")[0], "Danke für die Geduld");
}

#[test]
fn an_unknown_language_falls_back_and_says_which() {
    let server = Server::start();
    for (tag, served) in [("ja", "en"), ("nn", "nb"), ("he-IL", "he"), ("ar-EG", "ar")] {
        let reply = server.get(
            &format!("/v1/offers?lang={tag}"),
            Some(&server.token("cust-dora")),
        );
        assert_eq!(reply.status, 200, "{tag}: {}", reply.body);
        assert_eq!(reply.header("content-language"), Some(served), "{tag}");
    }
}

#[test]
fn a_new_shop_customer_signs_up_the_first_time_they_look() {
    // A token the shop minted for an account the program has not met yet
    // (no order, no sign-up through the admin API): a member with the
    // welcome bonus, not an error.
    let server = Server::start();
    let summary = get(&server, "/v1/customer?lang=fr", Some("wp-4711"));
    assert_eq!(summary["state"], "member", "{summary}");
    assert_eq!(summary["points"]["approved"], 100, "{summary}");
    let history = get(&server, "/v1/activity?lang=fr", Some("wp-4711"));
    assert_eq!(
        history["items"][0]["label"], "Bienvenue au club",
        "{history}"
    );
    // Every route meets them the same way, once.
    for path in ["/v1/offers", "/v1/redemptions", "/v1/activity"] {
        get(&server, path, Some("wp-4712"));
    }
    assert_eq!(
        get(&server, "/v1/customer", Some("wp-4712"))["points"]["approved"],
        100
    );
}
