//! Tokens signed with the shop's private key (#20): the endpoint holds only
//! the public key (`--token-public-key`), verifies with the one algorithm
//! that key is for, and can mint nothing. Through real HTTP.

mod common;

use common::{now, Server, SECRET};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use loyalty_endpoint::token::{Claims, Verifier};

const ED_PRIVATE: &[u8] = include_bytes!("keys/ed25519-private.pem");
const ED_PUBLIC: &[u8] = include_bytes!("keys/ed25519-public.pem");
const RSA_PRIVATE: &[u8] = include_bytes!("keys/rsa-private.pem");
const RSA_PUBLIC: &[u8] = include_bytes!("keys/rsa-public.pem");

fn claims(sub: &str) -> Claims {
    Claims {
        sub: sub.to_owned(),
        iat: now(),
        exp: now() + 600,
    }
}

fn signed(algorithm: Algorithm, key: &EncodingKey, sub: &str) -> String {
    encode(&Header::new(algorithm), &claims(sub), key).expect("signed")
}

/// A server that verifies with `public` only: no shared secret at all.
fn server_with(public: &[u8]) -> Server {
    let verifier = Verifier::public_key(public).expect("a public key");
    Server::with(move |config| {
        config.secret = Vec::new();
        config.public_key = Some(verifier);
    })
}

fn status(server: &Server, token: &str) -> u16 {
    server.get("/v1/customer", Some(token)).status
}

#[test]
fn ed25519_tokens_verify_with_the_public_key_and_nothing_else_does() {
    let server = server_with(ED_PUBLIC);
    let ed = EncodingKey::from_ed_pem(ED_PRIVATE).expect("ed key");
    let token = signed(Algorithm::EdDSA, &ed, "cust-anna");
    let reply = server.get("/v1/customer", Some(&token));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["first_name"], "Anna");
    // An HS256 token, with the old shared secret or with the public key's
    // own bytes as the HMAC key (the algorithm-confusion attack): refused.
    assert_eq!(
        status(&server, &common::token_with(SECRET, "cust-anna")),
        401
    );
    let confused = signed(
        Algorithm::HS256,
        &EncodingKey::from_secret(ED_PUBLIC),
        "cust-anna",
    );
    assert_eq!(status(&server, &confused), 401);
    // Signed by another key pair's private half: refused.
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE).expect("rsa key");
    assert_eq!(
        status(&server, &signed(Algorithm::RS256, &rsa, "cust-anna")),
        401
    );
    // Tampered: another customer's id under Anna's signature.
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let ben = signed(Algorithm::EdDSA, &ed, "cust-ben");
    parts[1] = ben.split('.').nth(1).expect("payload").to_owned();
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        token.split('.').nth(2).expect("sig")
    );
    assert_eq!(status(&server, &tampered), 401);
}

#[test]
fn rs256_tokens_verify_with_the_rsa_public_key_pinned() {
    let server = server_with(RSA_PUBLIC);
    let rsa = EncodingKey::from_rsa_pem(RSA_PRIVATE).expect("rsa key");
    assert_eq!(
        status(&server, &signed(Algorithm::RS256, &rsa, "cust-anna")),
        200
    );
    // The same key with another RSA algorithm is not the pinned one.
    assert_eq!(
        status(&server, &signed(Algorithm::RS512, &rsa, "cust-anna")),
        401
    );
    let confused = signed(
        Algorithm::HS256,
        &EncodingKey::from_secret(RSA_PUBLIC),
        "cust-anna",
    );
    assert_eq!(status(&server, &confused), 401);
}

#[test]
fn a_server_with_a_public_key_cannot_mint_and_refuses_demo_mode() {
    let dir = tempfile::tempdir().expect("dir");
    let key = dir.path().join("public.pem");
    std::fs::write(&key, ED_PUBLIC).expect("key file");
    let key = key.to_string_lossy().into_owned();
    let run = |args: &[&str]| common::run_binary(dir.path(), None, args);
    let demo = run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--token-public-key",
        &key,
        "--demo",
    ]);
    assert!(!demo.0);
    assert!(demo.1.contains("--demo mints tokens"));
    // Without a secret but with the public key, it serves.
    let serves = run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--token-public-key",
        &key,
        "--exit-after",
        "1",
    ]);
    assert!(serves.0, "{}", serves.1);
    assert!(serves.1.contains("EdDSA"));
    std::fs::write(dir.path().join("junk.pem"), "not a key").expect("junk");
    let not_a_key = run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--token-public-key",
        "junk.pem",
    ]);
    assert!(!not_a_key.0);
}
