//! Every screen and state, in both languages, as a customer sees and uses
//! them, against the reference endpoint's demo program.
//!
//! Demo customers: Anna (Silver, 1,250 points, club member, 3 friends), Ben
//! (Bronze, 100 points, not in the club), Carla (Gold, 4,200 points), Dora
//! (Gold, 9,000 points; she redeems and joins).
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

async fn dashboard(customer: &str, lang: &str) -> Element {
    let token = token_for(customer).await;
    let widget = mounted(&[("endpoint", ENDPOINT), ("token", &token), ("lang", lang)]);
    wait_for(&widget, "[data-testid=balance]").await;
    widget
}

#[wasm_bindgen_test]
async fn points_show_value_pending_and_expiry_in_english() {
    let widget = dashboard("cust-anna", "en").await;
    let all = text(&widget);
    assert!(all.contains("1,250 points"), "{all}");
    assert!(all.contains("Worth €12.50"), "{all}");
    assert!(all.contains("120 points pending"), "{all}");
    let expiring = wait_for(&widget, "[data-testid=expiring]").await;
    assert_eq!(text_of(&expiring), "200 points expire on Dec 31, 2026");
}

#[wasm_bindgen_test]
async fn points_show_value_pending_and_expiry_in_german() {
    let widget = dashboard("cust-anna", "de").await;
    let expiring = wait_for(&widget, "[data-testid=expiring]").await;
    assert_eq!(text_of(&expiring), "200 Punkte verfallen am 31.12.2026");
    assert!(text(&widget).contains("120 Punkte ausstehend"));
}

#[wasm_bindgen_test]
async fn ways_to_earn_include_welcome_bonus_and_birthday() {
    let widget = dashboard("cust-anna", "de").await;
    let earn = wait_for(&widget, "[data-testid=earn]").await;
    let list = text_of(&earn);
    assert!(list.contains("100 Punkte Willkommensbonus"), "{list}");
    assert!(list.contains("Dein Geburtstag"), "{list}");
    assert!(list.contains("1 Punkt pro Euro"), "{list}");
}

#[wasm_bindgen_test]
async fn tier_progress_is_a_real_progressbar_with_what_is_needed() {
    let widget = dashboard("cust-anna", "en").await;
    let bar = wait_for(&widget, "[role=progressbar]").await;
    // Silver starts at 1,000, Gold at 2,500; Anna has 1,670: 670 of 1,500.
    assert_eq!(bar.get_attribute("aria-valuenow").as_deref(), Some("44"));
    assert_eq!(bar.get_attribute("aria-valuemin").as_deref(), Some("0"));
    assert_eq!(bar.get_attribute("aria-valuemax").as_deref(), Some("100"));
    assert_eq!(
        bar.get_attribute("aria-label").as_deref(),
        Some("Progress to Gold")
    );
    let needed = wait_for(&widget, "[data-testid=tier-needed]").await;
    assert_eq!(text_of(&needed), "830 points to Gold");
    assert_eq!(
        text_of(&wait_for(&widget, "[data-testid=tier]").await),
        "You are Silver"
    );
    let all = text(&widget);
    assert!(
        all.contains("Free shipping from €25"),
        "current perks: {all}"
    );
    assert!(
        all.contains("Early access to new roasts"),
        "next perks: {all}"
    );
    let tiers = find_all(&widget, "[data-testid=tiers] li");
    assert_eq!(tiers.len(), 3);
    assert_eq!(
        tiers[1].get_attribute("aria-current").as_deref(),
        Some("true")
    );
}

#[wasm_bindgen_test]
async fn top_tier_says_so_in_german() {
    let widget = dashboard("cust-carla", "de").await;
    wait_for_text(&widget, "Du hast die höchste Stufe erreicht.").await;
    assert!(find(&widget, "[role=progressbar]").is_none());
    assert!(text(&widget).contains("Du bist Gold"));
}

#[wasm_bindgen_test]
async fn rewards_show_price_and_why_one_cannot_be_redeemed() {
    let widget = dashboard("cust-anna", "en").await;
    wait_for(&widget, "[data-reward=r-mug]").await;
    let mug = find(&widget, "[data-reward=r-mug]").expect("mug");
    assert!(text_of(&mug).contains("1,500 points"));
    assert!(
        text_of(&mug).contains("250 points more needed"),
        "{}",
        text_of(&mug)
    );
    let redeem = button(&mug, "Redeem");
    assert!(redeem.has_attribute("disabled"));
    let voucher = find(&widget, "[data-reward=r-5eur]").expect("voucher");
    assert!(!button(&voucher, "Redeem").has_attribute("disabled"));
    let ben = dashboard("cust-ben", "de").await;
    wait_for(&ben, "[data-reward=r-mug]").await;
    let mug = find(&ben, "[data-reward=r-mug]").expect("mug");
    assert!(
        text_of(&mug).contains("Ab Stufe Silber"),
        "{}",
        text_of(&mug)
    );
}

#[wasm_bindgen_test]
async fn redeeming_asks_first_then_shows_the_coupon_and_the_new_balance() {
    let widget = dashboard("cust-dora", "en").await;
    let before = balance_points(&widget);
    let voucher = wait_for(&widget, "[data-reward=r-5eur]").await;
    click(&button(&voucher, "Redeem"));
    tick(50).await;
    let confirm = voucher
        .query_selector(".lw-confirm")
        .ok()
        .flatten()
        .unwrap_or_else(|| wait_panic(&voucher));
    assert!(text_of(&confirm).contains("Redeem 500 points for “€5 voucher”?"));
    let yes = button(&confirm, "Yes, redeem");
    assert_eq!(
        focused(&widget).as_ref(),
        Some(&yes),
        "focus moves to the confirmation"
    );
    click(&yes);
    let coupon = wait_for(&widget, "[data-reward=r-5eur] [data-testid=coupon]").await;
    assert!(text_of(&coupon).contains("Redeemed! Your code for “€5 voucher”:"));
    let code = coupon.query_selector("code").ok().flatten().expect("code");
    assert!(text_of(&code).starts_with("MR-"), "{}", text_of(&code));
    assert!(text_of(&coupon).contains("Valid until"));
    for _ in 0..500 {
        if balance_points(&widget) == before - 500 {
            break;
        }
        tick(20).await;
    }
    assert_eq!(
        balance_points(&widget),
        before - 500,
        "the balance drops by the price"
    );
    let live = find(&widget, "[data-testid=live]").expect("live region");
    wait_for_text(&widget, "Redeemed!").await;
    assert_eq!(live.get_attribute("aria-live").as_deref(), Some("polite"));
}

/// The balance on screen as a number ("9,000 points" is 9000).
fn balance_points(widget: &Element) -> u64 {
    let shown = text_of(&find(widget, "[data-testid=balance]").expect("balance"));
    let digits: String = shown.chars().filter(char::is_ascii_digit).collect();
    digits.parse().expect("a number on screen")
}

fn wait_panic(scope: &Element) -> Element {
    panic!("no confirmation in {:?}", text_of(scope))
}

#[wasm_bindgen_test]
async fn cancelling_a_redeem_takes_nothing_and_returns_focus() {
    let widget = dashboard("cust-dora", "de").await;
    let shipping = wait_for(&widget, "[data-reward=r-shipping]").await;
    let before = text_of(&find(&widget, "[data-testid=balance]").expect("balance"));
    click(&button(&shipping, "Einlösen"));
    tick(50).await;
    let confirm = shipping
        .query_selector(".lw-confirm")
        .ok()
        .flatten()
        .expect("confirm");
    assert!(text_of(&confirm).contains("300 Punkte für „Gratisversand“ einlösen?"));
    click(&button(&confirm, "Abbrechen"));
    tick(50).await;
    assert!(shipping
        .query_selector(".lw-confirm")
        .ok()
        .flatten()
        .is_none());
    let redeem = button(&shipping, "Einlösen");
    assert_eq!(focused(&widget).as_ref(), Some(&redeem));
    let after = text_of(&find(&widget, "[data-testid=balance]").expect("balance"));
    assert_eq!(before, after);
}

#[wasm_bindgen_test]
async fn referral_shows_link_code_friends_and_fallbacks() {
    let widget = dashboard("cust-anna", "en").await;
    let code = wait_for(&widget, "[data-testid=referral-code]").await;
    assert_eq!(text_of(&code), "ANNA10");
    let url = text_of(&wait_for(&widget, "[data-testid=referral-url]").await);
    assert!(url.ends_with("/?ref=ANNA10"), "{url}");
    assert_eq!(
        text_of(&wait_for(&widget, "[data-testid=friends]").await),
        "3 friends have joined."
    );
    wait_for_text(&widget, "Give your friends €5 off").await;
    let mail = find_all(&widget, "a[href^='mailto:']");
    assert_eq!(mail.len(), 1);
    assert!(mail[0]
        .get_attribute("href")
        .unwrap_or_default()
        .contains("ref%3DANNA10"));
    assert_eq!(find_all(&widget, "a[href^='https://wa.me/']").len(), 1);
}

#[wasm_bindgen_test]
async fn copying_the_code_confirms_visibly() {
    let widget = dashboard("cust-anna", "en").await;
    let code = wait_for(&widget, "[data-testid=referral-code]").await;
    let row = code.parent_element().expect("row");
    let copy = row
        .query_selector("button")
        .ok()
        .flatten()
        .expect("copy button");
    assert_eq!(
        copy.get_attribute("aria-label").as_deref(),
        Some("Copy code ANNA10")
    );
    click(&copy);
    // Headless browsers may refuse clipboard access; either way the customer
    // is told what happened, visibly and through the live region.
    for _ in 0..100 {
        let live = text_of(&find(&widget, "[data-testid=live]").expect("live"));
        let visible = text_of(&row);
        let copied = live == "Copied" && visible.contains("Copied");
        let failed = live.starts_with("Copy failed") && visible.contains("Copy failed");
        if copied || failed {
            return;
        }
        tick(20).await;
    }
    panic!("no confirmation after copying");
}

#[wasm_bindgen_test]
async fn friends_plural_in_german() {
    let widget = dashboard("cust-ben", "de").await;
    assert_eq!(
        text_of(&wait_for(&widget, "[data-testid=friends]").await),
        "Noch keine Freunde dabei."
    );
    let carla = dashboard("cust-carla", "de").await;
    assert_eq!(
        text_of(&wait_for(&carla, "[data-testid=friends]").await),
        "7 Freunde sind dabei."
    );
}

#[wasm_bindgen_test]
async fn members_see_offers_with_codes_links_and_locks() {
    let widget = dashboard("cust-anna", "en").await;
    let advent = wait_for(&widget, "[data-offer=o-advent]").await;
    assert!(text_of(&advent).contains("ADVENT-EARLY"));
    assert!(text_of(&advent).contains("Until Dec 24, 2026"));
    let tasting = find(&widget, "[data-offer=o-tasting]").expect("tasting");
    let link = tasting.query_selector("a").ok().flatten().expect("link");
    assert_eq!(
        link.get_attribute("href").as_deref(),
        Some("https://example.com/cupping")
    );
    assert_eq!(
        link.get_attribute("rel").as_deref(),
        Some("noopener noreferrer")
    );
    let gold = find(&widget, "[data-offer=o-gold]").expect("gold");
    assert!(
        text_of(&gold).contains("Locked: from tier Gold"),
        "{}",
        text_of(&gold)
    );
    assert!(
        !text_of(&gold).contains("GOLD-GREEN"),
        "no code while locked"
    );
    assert!(text(&widget).contains("You are a club member since Mar 1, 2026."));
}

#[wasm_bindgen_test]
async fn joining_the_club_needs_the_consent_box_and_unlocks_offers() {
    let widget = dashboard("cust-ben", "de").await;
    let form = wait_for(&widget, "[data-testid=club-join]").await;
    let advent = wait_for(&widget, "[data-offer=o-advent]").await;
    assert!(text_of(&advent).contains("Gesperrt: nur für Clubmitglieder"));
    let checkbox: web_sys::HtmlInputElement = wasm_bindgen::JsCast::dyn_into(
        form.query_selector("input[type=checkbox]")
            .ok()
            .flatten()
            .expect("box"),
    )
    .expect("input");
    assert!(!checkbox.checked(), "consent is never pre-ticked");
    click(&button(&form, "Club beitreten"));
    wait_for_text(&widget, "Bitte bestätige zuerst das Kästchen.").await;
    assert!(
        find(&widget, "[data-testid=club-state]").is_none(),
        "no join without consent"
    );
    checkbox.click();
    click(&button(&form, "Club beitreten"));
    let state = wait_for(&widget, "[data-testid=club-state]").await;
    assert!(
        text_of(&state).starts_with("Du bist seit"),
        "{}",
        text_of(&state)
    );
    wait_for_text(&widget, "Willkommen im Club! 100 Punkte gutgeschrieben.").await;
    for _ in 0..500 {
        if text_of(&find(&widget, "[data-testid=balance]").expect("balance")) == "200 Punkte" {
            break;
        }
        tick(20).await;
    }
    assert_eq!(
        text_of(&find(&widget, "[data-testid=balance]").expect("balance")),
        "200 Punkte",
        "the welcome bonus is on the balance"
    );
    wait_for_text(&widget, "ADVENT-EARLY").await;
}

#[wasm_bindgen_test]
async fn history_opens_on_demand_and_pages() {
    let widget = dashboard("cust-anna", "en").await;
    let history = wait_for(&widget, "#lw-history").await;
    assert!(history.has_attribute("hidden"));
    let section = history.parent_element().expect("section");
    let toggle = button(&section, "Show history");
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    click(&toggle);
    for _ in 0..500 {
        if find_all(&widget, "[data-testid=history-entry]").len() == 10 {
            break;
        }
        tick(20).await;
    }
    assert_eq!(find_all(&widget, "[data-testid=history-entry]").len(), 10);
    assert_eq!(
        toggle.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    let first = text_of(&find_all(&widget, "[data-testid=history-entry]")[0]);
    assert!(
        first.contains("Nov 20, 2026") && first.contains("+25 points") && first.contains("pending"),
        "{first}"
    );
    click(&button(&history, "Show more"));
    for _ in 0..500 {
        if find_all(&widget, "[data-testid=history-entry]").len() == 20 {
            break;
        }
        tick(20).await;
    }
    click(&button(&history, "Show more"));
    for _ in 0..500 {
        if find_all(&widget, "[data-testid=history-entry]").len() == 27 {
            break;
        }
        tick(20).await;
    }
    assert_eq!(find_all(&widget, "[data-testid=history-entry]").len(), 27);
    tick(100).await;
    assert!(!text_of(&history).contains("Show more"), "no more pages");
}

#[wasm_bindgen_test]
async fn guests_see_the_program_pitch_and_ways_to_earn() {
    let widget = mounted(&[
        ("endpoint", ENDPOINT),
        ("lang", "de"),
        ("join-url", "/konto/registrieren"),
    ]);
    wait_for_text(&widget, "Morgenrot Kaffeeklub").await;
    let all = text(&widget);
    assert!(all.contains("Sammle Punkte für jede Tüte Kaffee"), "{all}");
    assert!(all.contains("Melde dich an"), "{all}");
    let join = wait_for(&widget, "a.lw-button").await;
    assert_eq!(
        join.get_attribute("href").as_deref(),
        Some("/konto/registrieren")
    );
    wait_for(&widget, "[data-testid=earn]").await;
    assert!(find(&widget, "[data-testid=balance]").is_none());
}

#[wasm_bindgen_test]
async fn shop_owners_can_reword_any_text() {
    let token = token_for("cust-anna").await;
    let widget = mounted(&[
        ("endpoint", ENDPOINT),
        ("token", &token),
        ("lang", "de"),
        (
            "texts",
            r#"{"title": "Bonusclub", "points-other": "{n} Bohnen", "no-such-text": "x"}"#,
        ),
    ]);
    let balance = wait_for(&widget, "[data-testid=balance]").await;
    assert_eq!(text_of(&balance), "1.250 Bohnen");
    let title = find(&widget, "h2").expect("title");
    assert_eq!(text_of(&title), "Bonusclub");
    assert!(text(&widget).contains("120 Bohnen ausstehend"));
}

#[wasm_bindgen_test]
async fn redeeming_in_german_shows_the_coupon_with_its_date() {
    let widget = dashboard("cust-dora", "de").await;
    let mug = wait_for(&widget, "[data-reward=r-10pct]").await;
    click(&button(&mug, "Einlösen"));
    tick(50).await;
    let confirm = mug
        .query_selector(".lw-confirm")
        .ok()
        .flatten()
        .expect("confirm");
    assert!(text_of(&confirm).contains("800 Punkte für „10 % auf deine Bestellung“ einlösen?"));
    click(&button(&confirm, "Ja, einlösen"));
    let coupon = wait_for(&widget, "[data-reward=r-10pct] [data-testid=coupon]").await;
    let shown = text_of(&coupon);
    assert!(
        shown.contains("Eingelöst! Dein Code für „10 % auf deine Bestellung“:"),
        "{shown}"
    );
    // The reward is valid 30 days (the program's valid_days), the day itself counting.
    assert!(shown.contains("Gültig bis 29.12."), "{shown}");
}

#[wasm_bindgen_test]
async fn history_in_german_marks_pending_entries() {
    let widget = dashboard("cust-anna", "de").await;
    let history = wait_for(&widget, "#lw-history").await;
    let section = history.parent_element().expect("section");
    click(&button(&section, "Verlauf anzeigen"));
    for _ in 0..500 {
        if !find_all(&widget, "[data-testid=history-entry]").is_empty() {
            break;
        }
        tick(20).await;
    }
    let first = text_of(&find_all(&widget, "[data-testid=history-entry]")[0]);
    assert!(
        first.contains("20.11.2026")
            && first.contains("+25 Punkte")
            && first.contains("ausstehend"),
        "{first}"
    );
    assert!(text_of(&history).contains("Mehr anzeigen"));
}

/// What each screen shows Anna, in one language.
struct Expected {
    lang: &'static str,
    earn: &'static str,
    tier: &'static str,
    needed: &'static str,
    mug_lock: &'static str,
    friends: &'static str,
    club: &'static str,
    gold_lock: &'static str,
    history: &'static str,
}

async fn every_screen_in(expected: Expected) {
    let widget = dashboard("cust-anna", expected.lang).await;
    let earn = wait_for(&widget, "[data-testid=earn]").await;
    assert!(text_of(&earn).contains(expected.earn), "{}", text_of(&earn));
    assert_eq!(
        text_of(&wait_for(&widget, "[data-testid=tier]").await),
        expected.tier
    );
    let bar = wait_for(&widget, "[role=progressbar]").await;
    assert_eq!(
        bar.get_attribute("aria-valuetext").as_deref(),
        Some(expected.needed)
    );
    let mug = wait_for(&widget, "[data-reward=r-mug]").await;
    assert!(
        text_of(&mug).contains(expected.mug_lock),
        "{}",
        text_of(&mug)
    );
    let friends = wait_for(&widget, "[data-testid=friends]").await;
    assert_eq!(text_of(&friends), expected.friends);
    let club = wait_for(&widget, "[data-testid=club-state]").await;
    assert_eq!(text_of(&club), expected.club);
    let gold = wait_for(&widget, "[data-offer=o-gold]").await;
    assert!(
        text_of(&gold).contains(expected.gold_lock),
        "{}",
        text_of(&gold)
    );
    let history = wait_for(&widget, "#lw-history").await;
    let section = history.parent_element().expect("section");
    button(&section, expected.history);
}

#[wasm_bindgen_test]
async fn every_screen_speaks_english() {
    every_screen_in(Expected {
        lang: "en",
        earn: "100 points welcome bonus",
        tier: "You are Silver",
        needed: "830 points to Gold",
        mug_lock: "250 points more needed",
        friends: "3 friends have joined.",
        club: "You are a club member since Mar 1, 2026.",
        gold_lock: "Locked: from tier Gold",
        history: "Show history",
    })
    .await;
}

#[wasm_bindgen_test]
async fn every_screen_speaks_german() {
    every_screen_in(Expected {
        lang: "de",
        earn: "100 Punkte Willkommensbonus",
        tier: "Du bist Silber",
        needed: "Noch 830 Punkte bis Gold",
        mug_lock: "Noch 250 Punkte nötig",
        friends: "3 Freunde sind dabei.",
        club: "Du bist seit 01.03.2026 im Kundenclub.",
        gold_lock: "Gesperrt: ab Stufe Gold",
        history: "Verlauf anzeigen",
    })
    .await;
}

#[wasm_bindgen_test]
async fn what_the_balance_is_worth_follows_a_redeem() {
    // Regression: after a redeem the balance dropped but "Worth €…" kept
    // the old balance's value (8,700 points next to €90.00).
    let widget = dashboard("cust-dora", "en").await;
    let worth = |widget: &Element| text_of(&find(widget, ".lw-worth").expect("worth"));
    let before = balance_points(&widget);
    assert_eq!(
        worth(&widget),
        format!("Worth €{}.{:02}", before / 100, before % 100)
    );
    let voucher = wait_for(&widget, "[data-reward=r-5eur]").await;
    click(&button(&voucher, "Redeem"));
    tick(50).await;
    click(&button(&voucher, "Yes, redeem"));
    wait_for(&widget, "[data-reward=r-5eur] [data-testid=coupon]").await;
    for _ in 0..500 {
        if balance_points(&widget) == before - 500 {
            break;
        }
        tick(20).await;
    }
    let after = balance_points(&widget);
    assert_eq!(after, before - 500);
    assert_eq!(
        worth(&widget),
        format!("Worth €{}.{:02}", after / 100, after % 100)
    );
}

#[wasm_bindgen_test]
async fn regional_locales_format_numbers_money_and_dates_their_way() {
    // Texts come from the language, figures and dates from the full locale:
    // de-CH groups with an apostrophe (which one depends on the browser's
    // CLDR data), not with the German point; en-GB writes the day first.
    let swiss = dashboard("cust-anna", "de-CH").await;
    let grouped = js_sys::Intl::NumberFormat::new(
        &js_sys::Array::of1(&"de-CH".into()),
        &js_sys::Object::new(),
    )
    .format()
    .call1(&wasm_bindgen::JsValue::NULL, &1250.into())
    .ok()
    .and_then(|text| text.as_string())
    .expect("Intl formats");
    assert_ne!(grouped, "1.250");
    assert_eq!(
        text_of(&find(&swiss, "[data-testid=balance]").expect("balance")),
        format!("{grouped} Punkte")
    );
    let expiring = find(&swiss, "[data-testid=expiring]").expect("expiring");
    assert_eq!(text_of(&expiring), "200 Punkte verfallen am 31.12.2026");
    let british = dashboard("cust-anna", "en-GB").await;
    let expiring = find(&british, "[data-testid=expiring]").expect("expiring");
    assert_eq!(text_of(&expiring), "200 points expire on 31 Dec 2026");
    let american = dashboard("cust-anna", "en").await;
    let expiring = find(&american, "[data-testid=expiring]").expect("expiring");
    assert_eq!(text_of(&expiring), "200 points expire on Dec 31, 2026");
}

#[wasm_bindgen_test]
async fn a_redeemed_code_can_always_be_found_again_in_the_history() {
    let widget = dashboard("cust-dora", "en").await;
    let voucher = wait_for(&widget, "[data-reward=r-5eur]").await;
    click(&button(&voucher, "Redeem"));
    tick(50).await;
    click(&button(&voucher, "Yes, redeem"));
    let coupon = wait_for(&widget, "[data-reward=r-5eur] [data-testid=coupon] code").await;
    let code = text_of(&coupon);
    // Later (another page view): the history lists the redemption with it.
    let widget = dashboard("cust-dora", "en").await;
    click(&wait_for(&widget, "[aria-controls=lw-history]").await);
    let shown = wait_for(&widget, "[data-testid=history-code]").await;
    assert_eq!(text_of(&shown), format!("Code {code}"));
}
