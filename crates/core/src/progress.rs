//! Points and tier arithmetic, in integers: no float reaches a figure a
//! customer reads.

use crate::contract::{Reward, Tier, TierStatus};

/// Progress towards the next tier, ready for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierProgress {
    /// Whole percent reached, 0 to 100.
    pub percent: u8,
    /// What is still needed for the next tier (0 at the top).
    pub needed: u64,
    /// The next tier, if there is one.
    pub next: Option<Tier>,
}

/// Works out the progress bar from the customer's status and the tier list.
///
/// The bar runs from the current tier's threshold to the next tier's, so a
/// customer who just reached a tier starts at 0%. Where the tier list does not
/// know the next tier, the server's `needed_for_upgrade` alone decides.
pub fn tier_progress(status: &TierStatus, tiers: &[Tier]) -> TierProgress {
    let next = status
        .next_tier_id
        .as_ref()
        .and_then(|id| tiers.iter().find(|tier| &tier.id == id))
        .cloned();
    if status.next_tier_id.is_none() {
        return TierProgress {
            percent: 100,
            needed: 0,
            next: None,
        };
    }
    let floor = tiers
        .iter()
        .find(|tier| tier.id == status.id)
        .map_or(0, |tier| tier.threshold);
    // The status's own figures, when the program's next threshold
    // contradicts them (0, or not above the current tier): the bar never
    // shows full while points are still needed.
    let own = status.value.saturating_add(status.needed_for_upgrade);
    let ceiling = next
        .as_ref()
        .map(|tier| tier.threshold)
        .filter(|threshold| *threshold > floor)
        .unwrap_or(own);
    let floor = if ceiling > floor { floor } else { 0 };
    let span = ceiling.saturating_sub(floor);
    let done = span.saturating_sub(status.needed_for_upgrade.min(span));
    let percent = if span == 0 {
        100
    } else {
        // done <= span, so this is at most 100; u128 cannot overflow.
        ((u128::from(done) * 100) / u128::from(span)) as u8
    };
    TierProgress {
        percent,
        needed: status.needed_for_upgrade,
        next,
    }
}

/// Whether a balance covers a price.
pub fn can_afford(approved: u64, price: u64) -> bool {
    approved >= price
}

/// Why a reward cannot be redeemed right now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RewardLock {
    /// It needs a higher tier (the tier's name).
    Tier(String),
    /// This many more points are needed.
    Points(u64),
}

/// Whether the customer may redeem `reward` now, and if not, why. A tier
/// requirement the program does not list counts as met (the endpoint has
/// the last word either way).
pub fn reward_lock(
    reward: &Reward,
    approved: u64,
    current_tier: Option<&str>,
    tiers: &[Tier],
) -> Option<RewardLock> {
    let rank = |id: &str| tiers.iter().position(|tier| tier.id == id);
    if let Some(needed) = reward.min_tier_id.as_deref() {
        let have = current_tier.and_then(rank);
        if let Some(need) = rank(needed) {
            if have.is_none_or(|have| have < need) {
                return Some(RewardLock::Tier(tiers[need].name.clone()));
            }
        }
    }
    (!can_afford(approved, reward.points_price))
        .then(|| RewardLock::Points(reward.points_price - approved))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::MilestoneKind;

    fn tier(id: &str, threshold: u64) -> Tier {
        Tier {
            id: id.into(),
            name: id.to_uppercase(),
            kind: MilestoneKind::Points,
            threshold,
            perks: vec![],
        }
    }

    fn status(id: &str, value: u64, next: Option<&str>, needed: u64) -> TierStatus {
        TierStatus {
            id: id.into(),
            name: id.into(),
            kind: MilestoneKind::Points,
            value,
            next_tier_id: next.map(Into::into),
            needed_for_upgrade: needed,
        }
    }

    fn tiers() -> Vec<Tier> {
        vec![tier("bronze", 0), tier("silver", 1000), tier("gold", 2500)]
    }

    #[test]
    fn progress_runs_between_current_and_next_threshold() {
        let progress = tier_progress(&status("silver", 1670, Some("gold"), 830), &tiers());
        assert_eq!(progress.percent, 44); // 670 of 1500
        assert_eq!(progress.needed, 830);
        assert_eq!(progress.next.map(|t| t.id), Some("gold".to_owned()));
    }

    #[test]
    fn a_next_threshold_that_contradicts_the_status_never_draws_a_full_bar() {
        for gold in [0, 500, 1000] {
            let tiers = vec![tier("bronze", 0), tier("silver", 1000), tier("gold", gold)];
            let progress = tier_progress(&status("silver", 1670, Some("gold"), 830), &tiers);
            assert!(
                progress.percent < 100,
                "gold at {gold}: {}",
                progress.percent
            );
            assert_eq!(progress.needed, 830);
        }
        // Its own figures: 1,670 of 2,500 counted from silver's 1,000.
        let tiers = vec![tier("bronze", 0), tier("silver", 1000), tier("gold", 0)];
        assert_eq!(
            tier_progress(&status("silver", 1670, Some("gold"), 830), &tiers).percent,
            44
        );
    }

    #[test]
    fn top_tier_is_full() {
        let progress = tier_progress(&status("gold", 4000, None, 0), &tiers());
        assert_eq!((progress.percent, progress.needed), (100, 0));
        assert!(progress.next.is_none());
    }

    #[test]
    fn unknown_next_tier_uses_server_figures() {
        let progress = tier_progress(&status("x", 300, Some("y"), 700), &[]);
        assert_eq!(progress.percent, 30);
    }

    #[test]
    fn inconsistent_figures_stay_within_bounds() {
        let progress = tier_progress(&status("silver", 0, Some("gold"), u64::MAX), &tiers());
        assert_eq!(progress.percent, 0);
        // A "next" tier below the current one contradicts the status: 5
        // points are still needed, so the bar is not full.
        let progress = tier_progress(&status("gold", 0, Some("silver"), 5), &tiers());
        assert!(progress.percent < 100, "{}", progress.percent);
        let progress = tier_progress(&status("a", u64::MAX, Some("b"), u64::MAX), &[]);
        assert!(progress.percent <= 100);
    }

    fn reward(price: u64, min_tier: Option<&str>) -> Reward {
        Reward {
            id: "r".into(),
            kind: crate::contract::RewardKind::DiscountCode,
            title: "R".into(),
            points_price: price,
            min_tier_id: min_tier.map(Into::into),
        }
    }

    #[test]
    fn reward_locks_by_tier_then_points() {
        let tiers = tiers();
        assert_eq!(
            reward_lock(&reward(500, None), 1250, Some("silver"), &tiers),
            None
        );
        assert_eq!(
            reward_lock(&reward(1500, None), 1250, Some("silver"), &tiers),
            Some(RewardLock::Points(250))
        );
        assert_eq!(
            reward_lock(&reward(100, Some("gold")), 5000, Some("silver"), &tiers),
            Some(RewardLock::Tier("GOLD".into()))
        );
        assert_eq!(
            reward_lock(&reward(100, Some("silver")), 5000, None, &tiers),
            Some(RewardLock::Tier("SILVER".into()))
        );
        assert_eq!(
            reward_lock(&reward(100, Some("gold")), 500, Some("gold"), &tiers),
            None
        );
        assert_eq!(
            reward_lock(&reward(100, Some("unknown")), 500, None, &tiers),
            None
        );
    }

    #[test]
    fn affordability() {
        assert!(can_afford(500, 500));
        assert!(!can_afford(499, 500));
    }
}
