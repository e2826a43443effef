//! Two endpoint instances on one store (one SQLite file, or one PostgreSQL
//! database with LOYALTY_TEST_POSTGRES), as behind a load balancer: one in
//! this process, one the endpoint's binary. The same redeems and orders
//! sent to both at once apply once each, and no balance goes below zero.

mod common;

use common::Server;
use std::collections::BTreeMap;

fn two_instances() -> (Server, Server) {
    let first = Server::start();
    let second = Server::process_sharing(&first);
    (first, second)
}

#[test]
fn the_same_redeems_sent_to_two_instances_apply_once_and_never_overdraw() {
    let (first, second) = two_instances();
    let token = first.token("cust-dora");
    let body = r#"{"reward_id":"r-shipping"}"#;
    // 40 keys of 300 points against Dora's 9,000: 30 can be redeemed.
    let keys: Vec<String> = (0..40).map(|n| format!("two-{n}")).collect();
    let answers: Vec<(String, u16, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|thread| {
                let (server, keys, token) = (
                    if thread % 2 == 0 { &first } else { &second },
                    &keys,
                    &token,
                );
                scope.spawn(move || {
                    let mut order: Vec<&String> = keys.iter().collect();
                    if thread % 4 >= 2 {
                        order.reverse();
                    }
                    order
                        .into_iter()
                        .map(|key| {
                            let reply = server
                                .post("/v1/redemptions", token, key, body)
                                .expect("an answer");
                            (key.clone(), reply.status, reply.body)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("thread"))
            .collect()
    });
    let mut by_key: BTreeMap<String, (u16, String)> = BTreeMap::new();
    for (key, status, body) in answers {
        match by_key.get(&key) {
            Some(seen) => assert_eq!(seen, &(status, body), "{key}: one key, two answers"),
            None => {
                by_key.insert(key, (status, body));
            }
        }
    }
    let redeemed = by_key.values().filter(|(status, _)| *status == 200).count();
    let refused = by_key
        .values()
        .filter(|(status, body)| *status == 409 && body.contains("insufficient_points"))
        .count();
    assert_eq!((redeemed, refused), (30, 10));
    assert_eq!(
        first.count("redemptions WHERE customer_id = 'cust-dora'"),
        30
    );
    assert_eq!(first.approved("cust-dora"), 0);
    assert_eq!(second.approved("cust-dora"), 0);
}

#[test]
fn the_same_orders_sent_to_two_instances_are_recorded_once() {
    let (first, second) = two_instances();
    let orders: Vec<String> = (0..20).map(|n| format!("dual-{n}")).collect();
    std::thread::scope(|scope| {
        for thread in 0..6 {
            let server = if thread % 2 == 0 { &first } else { &second };
            let orders = &orders;
            scope.spawn(move || {
                for id in orders {
                    let body =
                        format!(r#"{{"id":"{id}","customer_id":"cust-ben","total_minor":1000}}"#);
                    let reply = server.admin("POST", "/admin/v1/orders", &body);
                    assert!(reply.status == 201 || reply.status == 200, "{}", reply.body);
                }
            });
        }
    });
    assert_eq!(first.count("orders"), 20);
    assert_eq!(
        first.count("ledger WHERE customer_id = 'cust-ben' AND kind = 'order'"),
        21,
        "Ben's seeded order and the 20 new ones"
    );
    let summary = first.get("/v1/customer", Some(&first.token("cust-ben")));
    assert!(
        summary.body.contains(r#""pending":200"#),
        "{}",
        summary.body
    );
}
