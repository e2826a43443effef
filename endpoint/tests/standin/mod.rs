//! The platforms' stand-ins (`e2e/standins/`): Shopify's Admin GraphQL API
//! checked against Shopify's own schema, and WooCommerce's coupons route
//! as WooCommerce 9.9.5 answers, each able to fail on demand. Each runs as
//! a Node process for as long as its [`StandIn`] lives.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Which platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Shopify,
    Woo,
}

/// The Shopify stand-in's shop, token and version.
pub const SHOP: &str = "loyalty-test.myshopify.com";
/// The credentials live with the harness, which keeps them out of every
/// server's log.
pub use crate::common::{woo_key, woo_secret, SHOPIFY_TOKEN};
pub const SHOPIFY_VERSION: &str = "2026-10";

/// A running stand-in.
pub struct StandIn {
    pub kind: Kind,
    pub addr: SocketAddr,
    child: Child,
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl StandIn {
    pub fn start(kind: Kind) -> StandIn {
        StandIn::start_with(kind, &[])
    }

    /// A stand-in with extra flags (`--currency USD`, `--timezone-offset -0800`).
    pub fn start_with(kind: Kind, flags: &[&str]) -> StandIn {
        let script = match kind {
            Kind::Shopify => "shopify-admin.mjs",
            Kind::Woo => "woo-coupons.mjs",
        };
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/standins/").to_owned() + script;
        let mut child = Command::new("node")
            .arg(&path)
            .args(["--port", "0", "--seed", "7"])
            .args(flags)
            // Its stdin stays open while it runs: it stops when we do.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs the stand-in");
        let stdout = child.stdout.take().expect("its stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the stand-in says its port");
        let ready: serde_json::Value =
            serde_json::from_str(line.trim()).expect("a {\"port\":N} line");
        let port = ready["port"].as_u64().expect("a port");
        StandIn {
            kind,
            addr: format!("127.0.0.1:{port}").parse().expect("an address"),
            child,
        }
    }

    /// The address the endpoint is told to use.
    pub fn url(&self) -> String {
        match self.kind {
            Kind::Shopify => format!(
                "http://{}/admin/api/{SHOPIFY_VERSION}/graphql.json",
                self.addr
            ),
            Kind::Woo => format!("http://{}", self.addr),
        }
    }

    /// The endpoint's connector to this stand-in.
    pub fn settings(&self) -> loyalty_endpoint::platform::Settings {
        use loyalty_endpoint::platform::{Secret, Settings};
        match self.kind {
            Kind::Shopify => Settings::Shopify {
                shop: SHOP.into(),
                token: Secret(SHOPIFY_TOKEN.into()),
                version: SHOPIFY_VERSION.into(),
                admin_url: Some(self.url()),
            },
            Kind::Woo => Settings::WooCommerce {
                url: self.url(),
                key: Secret(woo_key()),
                secret: Secret(woo_secret()),
            },
        }
    }

    /// The binary's environment for this stand-in.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        match self.kind {
            Kind::Shopify => vec![
                ("LOYALTY_SHOPIFY_SHOP", SHOP.into()),
                ("LOYALTY_SHOPIFY_ADMIN_TOKEN", SHOPIFY_TOKEN.into()),
                ("LOYALTY_SHOPIFY_ADMIN_URL", self.url()),
            ],
            Kind::Woo => vec![
                ("LOYALTY_WOO_URL", self.url()),
                ("LOYALTY_WOO_KEY", woo_key()),
                ("LOYALTY_WOO_SECRET", woo_secret()),
            ],
        }
    }

    /// One control request; the answer's status and JSON.
    pub fn control(&self, method: &str, path: &str, body: &str) -> (u16, serde_json::Value) {
        let mut stream = TcpStream::connect(self.addr).expect("the stand-in listens");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("a timeout");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.addr,
            body.len()
        );
        stream.write_all(request.as_bytes()).expect("sent");
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("an answer");
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        // A chunked body: the JSON is between the first size line and the end.
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            let mut out = String::new();
            let mut rest = rest;
            while let Some((size, after)) = rest.split_once("\r\n") {
                let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
                if n == 0 || after.len() < n {
                    break;
                }
                out.push_str(&after[..n]);
                rest = after[n..].trim_start_matches("\r\n");
            }
            out
        } else {
            rest.to_owned()
        };
        (
            status,
            serde_json::from_str(&body).unwrap_or(serde_json::Value::Null),
        )
    }

    /// Sets the faults (`PUT /_standin/faults`).
    pub fn faults(&self, faults: serde_json::Value) {
        let (status, body) = self.control("PUT", "/_standin/faults", &faults.to_string());
        assert!(status < 300, "faults set: {status} {body}");
    }

    /// Every code the platform holds, by code (upper case): its record.
    pub fn codes(&self) -> Vec<serde_json::Value> {
        let path = match self.kind {
            Kind::Shopify => "/_standin/discounts",
            Kind::Woo => "/_standin/coupons",
        };
        let (status, body) = self.control("GET", path, "");
        assert_eq!(status, 200, "{body}");
        body.as_array().cloned().unwrap_or_default()
    }

    /// The code strings the platform holds.
    pub fn code_names(&self) -> Vec<String> {
        self.codes()
            .iter()
            .filter_map(|c| c["code"].as_str().map(str::to_ascii_uppercase))
            .collect()
    }
}
