//! How each contract type reads itself from JSON (see [`crate::json`]).
//!
//! The rules, the same for every type: unknown fields are skipped; a field
//! with a default may be absent; `null` is accepted only where a value is
//! optional; a value of the wrong type is an error; unknown enum values
//! become `Other` (or `Custom`) where the contract allows new ones.

use super::*;
use crate::json::{required, Reader, Result};

/// A contract type that can be read from JSON.
pub trait Decode: Sized {
    /// Reads one value of this type.
    fn read(reader: &mut Reader) -> Result<Self>;
}

/// Enums named by snake_case strings, with the value for unknown names (and
/// the name it reports).
macro_rules! named {
    ($ty:ident { $($name:literal => $variant:ident),+ $(,)? } else $fallback:ident = $other:literal) => {
        impl $ty {
            /// The contract's name of this value.
            pub fn as_str(&self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                    $ty::$fallback => $other,
                }
            }
        }

        impl Decode for $ty {
            fn read(reader: &mut Reader) -> Result<Self> {
                Ok(match reader.string()?.as_str() {
                    $($name => $ty::$variant,)+
                    _ => $ty::$fallback,
                })
            }
        }
    };
}

named!(ErrorCode {
    "unauthorized" => Unauthorized,
    "token_expired" => TokenExpired,
    "bad_request" => BadRequest,
    "insufficient_points" => InsufficientPoints,
    "tier_too_low" => TierTooLow,
    "not_available" => NotAvailable,
    "idempotency_conflict" => IdempotencyConflict,
    "not_found" => NotFound,
    "rate_limited" => RateLimited,
    "internal" => Internal,
} else Other = "other");

named!(CustomerState {
    "guest" => Guest,
    "member" => Member,
    "blocked" => Blocked,
} else Other = "other");

named!(EarnKind {
    "order" => Order,
    "signup" => Signup,
    "birthday" => Birthday,
    "referral" => Referral,
} else Custom = "custom");

named!(RewardKind {
    "discount_code" => DiscountCode,
    "percentage_discount_code" => PercentageDiscountCode,
    "free_delivery_code" => FreeDeliveryCode,
    "gift_code" => GiftCode,
} else Custom = "custom");

named!(LockReason {
    "members_only" => MembersOnly,
    "tier_too_low" => TierTooLow,
} else Other = "other");

named!(ActivityKind {
    "earned" => Earned,
    "spent" => Spent,
    "expired" => Expired,
} else Other = "other");

named!(ActivityState {
    "pending" => Pending,
    "approved" => Approved,
    "void" => Void,
} else Other = "other");

impl Decode for MilestoneKind {
    /// The contract knows exactly two kinds; anything else is an error.
    fn read(reader: &mut Reader) -> Result<Self> {
        let at = reader.position();
        match reader.string()?.as_str() {
            "points" => Ok(MilestoneKind::Points),
            "spend" => Ok(MilestoneKind::Spend),
            _ => Err(crate::json::Error::Syntax {
                at,
                expected: "\"points\" or \"spend\"",
            }),
        }
    }
}

impl Decode for String {
    fn read(reader: &mut Reader) -> Result<Self> {
        reader.string()
    }
}

fn opt_string(reader: &mut Reader) -> Result<Option<String>> {
    reader.optional(Reader::string)
}

impl Decode for ErrorBody {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut error = None;
        reader.object(&mut |reader, key| {
            match key {
                "error" => error = Some(ErrorDetail::read(reader)?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(ErrorBody {
            error: required(error, "error")?,
        })
    }
}

impl Decode for ErrorDetail {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut code, mut message) = (None, String::new());
        reader.object(&mut |reader, key| {
            match key {
                "code" => code = Some(ErrorCode::read(reader)?),
                "message" => message = reader.string()?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(ErrorDetail {
            code: required(code, "code")?,
            message,
        })
    }
}

impl Decode for Points {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut points = Points::default();
        reader.object(&mut |reader, key| {
            match key {
                "approved" => points.approved = reader.u64()?,
                "pending" => points.pending = reader.u64()?,
                "spent" => points.spent = reader.u64()?,
                "lifetime" => points.lifetime = reader.u64()?,
                "expiring" => points.expiring = reader.list(Expiring::read)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(points)
    }
}

impl Decode for Expiring {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut points, mut at) = (None, None);
        reader.object(&mut |reader, key| {
            match key {
                "points" => points = Some(reader.u64()?),
                "at" => at = Some(reader.string()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Expiring {
            points: required(points, "points")?,
            at: required(at, "at")?,
        })
    }
}

impl Decode for Money {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut amount_minor, mut currency) = (None, None);
        reader.object(&mut |reader, key| {
            match key {
                "amount_minor" => amount_minor = Some(reader.u64()?),
                "currency" => currency = Some(reader.string()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Money {
            amount_minor: required(amount_minor, "amount_minor")?,
            currency: required(currency, "currency")?,
        })
    }
}

impl Decode for TierStatus {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut name) = (None, None);
        let mut tier = TierStatus {
            id: String::new(),
            name: String::new(),
            kind: MilestoneKind::default(),
            value: 0,
            next_tier_id: None,
            needed_for_upgrade: 0,
        };
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "name" => name = Some(reader.string()?),
                "kind" => tier.kind = MilestoneKind::read(reader)?,
                "value" => tier.value = reader.u64()?,
                "next_tier_id" => tier.next_tier_id = opt_string(reader)?,
                "needed_for_upgrade" => tier.needed_for_upgrade = reader.u64()?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        tier.id = required(id, "id")?;
        tier.name = required(name, "name")?;
        Ok(tier)
    }
}

impl Decode for Referral {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut url, mut code, mut friends_joined) = (None, None, 0);
        reader.object(&mut |reader, key| {
            match key {
                "url" => url = Some(reader.string()?),
                "code" => code = Some(reader.string()?),
                "friends_joined" => friends_joined = reader.u32()?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Referral {
            url: required(url, "url")?,
            code: required(code, "code")?,
            friends_joined,
        })
    }
}

impl Decode for Club {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut club = Club::default();
        reader.object(&mut |reader, key| {
            match key {
                "member" => club.member = reader.bool()?,
                "joined_at" => club.joined_at = opt_string(reader)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(club)
    }
}

impl Decode for Summary {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut points = None;
        let mut summary = Summary {
            state: CustomerState::default(),
            first_name: None,
            points: Points::default(),
            points_value: None,
            tier: None,
            referral: None,
            club: Club::default(),
        };
        reader.object(&mut |reader, key| {
            match key {
                "state" => summary.state = CustomerState::read(reader)?,
                "first_name" => summary.first_name = opt_string(reader)?,
                "points" => points = Some(Points::read(reader)?),
                "points_value" => summary.points_value = reader.optional(Money::read)?,
                "tier" => summary.tier = reader.optional(TierStatus::read)?,
                "referral" => summary.referral = reader.optional(Referral::read)?,
                "club" => summary.club = Club::read(reader)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        summary.points = required(points, "points")?;
        Ok(summary)
    }
}

impl Decode for Tier {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut name) = (None, None);
        let (mut kind, mut threshold, mut perks) = (MilestoneKind::default(), 0, Vec::new());
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "name" => name = Some(reader.string()?),
                "kind" => kind = MilestoneKind::read(reader)?,
                "threshold" => threshold = reader.u64()?,
                "perks" => perks = reader.list(Reader::string)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Tier {
            id: required(id, "id")?,
            name: required(name, "name")?,
            kind,
            threshold,
            perks,
        })
    }
}

impl Decode for EarningRule {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut kind, mut title, mut points_text) = (None, None, None);
        reader.object(&mut |reader, key| {
            match key {
                "kind" => kind = Some(EarnKind::read(reader)?),
                "title" => title = Some(reader.string()?),
                "points_text" => points_text = Some(reader.string()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(EarningRule {
            kind: required(kind, "kind")?,
            title: required(title, "title")?,
            points_text: required(points_text, "points_text")?,
        })
    }
}

impl Decode for Reward {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut kind, mut title, mut price) = (None, None, None, None);
        let mut min_tier_id = None;
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "kind" => kind = Some(RewardKind::read(reader)?),
                "title" => title = Some(reader.string()?),
                "points_price" => price = Some(reader.u64()?),
                "min_tier_id" => min_tier_id = opt_string(reader)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Reward {
            id: required(id, "id")?,
            kind: required(kind, "kind")?,
            title: required(title, "title")?,
            points_price: required(price, "points_price")?,
            min_tier_id,
        })
    }
}

impl Decode for Program {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut name, mut currency) = (None, None);
        let mut program = Program {
            name: String::new(),
            currency: String::new(),
            pitch: String::new(),
            tiers: Vec::new(),
            earning: Vec::new(),
            rewards: Vec::new(),
            referral_text: None,
        };
        reader.object(&mut |reader, key| {
            match key {
                "name" => name = Some(reader.string()?),
                "currency" => currency = Some(reader.string()?),
                "pitch" => program.pitch = reader.string()?,
                "tiers" => program.tiers = reader.list(Tier::read)?,
                "earning" => program.earning = reader.list(EarningRule::read)?,
                "rewards" => program.rewards = reader.list(Reward::read)?,
                "referral_text" => program.referral_text = opt_string(reader)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        program.name = required(name, "name")?;
        program.currency = required(currency, "currency")?;
        Ok(program)
    }
}

impl Decode for Offer {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut title) = (None, None);
        let mut offer = Offer {
            id: String::new(),
            title: String::new(),
            description: String::new(),
            min_tier_id: None,
            ends_at: None,
            code: None,
            cta_url: None,
            locked: None,
        };
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "title" => title = Some(reader.string()?),
                "description" => offer.description = reader.string()?,
                "min_tier_id" => offer.min_tier_id = opt_string(reader)?,
                "ends_at" => offer.ends_at = opt_string(reader)?,
                "code" => offer.code = opt_string(reader)?,
                "cta_url" => offer.cta_url = opt_string(reader)?,
                "locked" => offer.locked = reader.optional(LockReason::read)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        offer.id = required(id, "id")?;
        offer.title = required(title, "title")?;
        Ok(offer)
    }
}

impl Decode for Offers {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut offers = None;
        reader.object(&mut |reader, key| {
            match key {
                "offers" => offers = Some(reader.list(Offer::read)?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Offers {
            offers: required(offers, "offers")?,
        })
    }
}

impl Decode for Activity {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut kind, mut label, mut points, mut date) = (None, None, None, None, None);
        let mut state = ActivityState::default();
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "kind" => kind = Some(ActivityKind::read(reader)?),
                "label" => label = Some(reader.string()?),
                "points" => points = Some(reader.i64()?),
                "state" => state = ActivityState::read(reader)?,
                "date" => date = Some(reader.string()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Activity {
            id: required(id, "id")?,
            kind: required(kind, "kind")?,
            label: required(label, "label")?,
            points: required(points, "points")?,
            state,
            date: required(date, "date")?,
        })
    }
}

impl Decode for ActivityPage {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut items, mut page, mut has_more) = (None, None, false);
        reader.object(&mut |reader, key| {
            match key {
                "items" => items = Some(reader.list(Activity::read)?),
                "page" => page = Some(reader.u32()?),
                "has_more" => has_more = reader.bool()?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(ActivityPage {
            items: required(items, "items")?,
            page: required(page, "page")?,
            has_more,
        })
    }
}

impl Decode for RedeemRequest {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut reward_id = None;
        reader.object(&mut |reader, key| {
            match key {
                "reward_id" => reward_id = Some(reader.string()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(RedeemRequest {
            reward_id: required(reward_id, "reward_id")?,
        })
    }
}

impl Decode for Coupon {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut code, mut expires_at) = (None, None);
        reader.object(&mut |reader, key| {
            match key {
                "code" => code = Some(reader.string()?),
                "expires_at" => expires_at = opt_string(reader)?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Coupon {
            code: required(code, "code")?,
            expires_at,
        })
    }
}

impl Decode for Redemption {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut id, mut reward_id, mut points_spent) = (None, None, None);
        let (mut coupon, mut points) = (None, None);
        reader.object(&mut |reader, key| {
            match key {
                "id" => id = Some(reader.string()?),
                "reward_id" => reward_id = Some(reader.string()?),
                "points_spent" => points_spent = Some(reader.u64()?),
                "coupon" => coupon = Some(Coupon::read(reader)?),
                "points" => points = Some(Points::read(reader)?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Redemption {
            id: required(id, "id")?,
            reward_id: required(reward_id, "reward_id")?,
            points_spent: required(points_spent, "points_spent")?,
            coupon: required(coupon, "coupon")?,
            points: required(points, "points")?,
        })
    }
}

impl Decode for JoinRequest {
    fn read(reader: &mut Reader) -> Result<Self> {
        let mut consent = None;
        reader.object(&mut |reader, key| {
            match key {
                "consent" => consent = Some(reader.bool()?),
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(JoinRequest {
            consent: required(consent, "consent")?,
        })
    }
}

impl Decode for Membership {
    fn read(reader: &mut Reader) -> Result<Self> {
        let (mut club, mut bonus_points) = (None, 0);
        reader.object(&mut |reader, key| {
            match key {
                "club" => club = Some(Club::read(reader)?),
                "bonus_points" => bonus_points = reader.u64()?,
                _ => reader.skip()?,
            }
            Ok(())
        })?;
        Ok(Membership {
            club: required(club, "club")?,
            bonus_points,
        })
    }
}
