//! Any bytes an endpoint could send, through every contract type's
//! `Deserialize` impl (driven by serde_json, the native stand-in for the
//! browser's JSON.parse plus serde_wasm_bindgen) and the plausibility
//! checks, and through the URL checks. Nothing may panic, and whatever decodes must
//! be plausible (the checks hold) and every link it yields must be http(s).
#![no_main]

use libfuzzer_sys::fuzz_target;
use loyalty_core::contract::{
    accept, ActivityPage, Checked, DecodeError, ErrorBody, Membership, Offers, Program, Redemption,
    Summary, MAX_POINTS,
};
use loyalty_core::url;
use serde::de::DeserializeOwned;

fn decode<T: DeserializeOwned + Checked>(text: &str) -> Result<T, DecodeError> {
    accept(serde_json::from_str::<serde_json::Value>(text).and_then(serde_json::from_value))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(summary) = decode::<Summary>(text) {
        assert!(summary.points.approved <= MAX_POINTS);
        assert!(summary.points.pending <= MAX_POINTS);
    }
    let _ = decode::<Program>(text);
    let _ = decode::<Offers>(text);
    let _ = decode::<ActivityPage>(text);
    let _ = decode::<Redemption>(text);
    let _ = decode::<Membership>(text);
    let _ = decode::<ErrorBody>(text);
    if let Some(link) = url::safe_link(text) {
        assert!(
            link.starts_with("http://") || link.starts_with("https://"),
            "{link}"
        );
    }
    if let Ok(endpoint) = url::check_endpoint(text) {
        assert!(
            endpoint.starts_with("https://") || endpoint.starts_with("http://"),
            "{endpoint}"
        );
    }
});
