//! Who may do what (SPEC §5), as pure decisions over an [`Actor`] built from a token's claims.
//!
//! Actions: `read` views a campaign; `write` changes it, its content and its markets; `admin`
//! implies both. A supreme actor may do everything, including the admin-only endpoints. A
//! refusal never reveals whether the campaign exists.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::Deserialize;

use crate::error::DomainError;
use crate::values::{CampaignId, ContactId};

/// A campaign action a token can grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// View the campaign.
    Read,
    /// Change the campaign, its content and its markets.
    Write,
    /// Everything on the campaign (implies read and write).
    Admin,
}

impl Action {
    /// The claim name (`read`, `write`, `admin`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Admin => "admin",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        match raw {
            "read" => Some(Self::Read),
            "write" => Some(Self::Write),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The JWT claims the service reads (beyond the registered `exp`, `nbf`, `iss`, `aud`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// The user's id.
    pub user_id: String,
    /// Global admin.
    #[serde(default)]
    pub supreme: bool,
    /// Grants per campaign id.
    #[serde(default)]
    pub campaigns: BTreeMap<String, CampaignGrant>,
}

/// The actions granted on one campaign.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct CampaignGrant {
    /// Action names; unknown ones are ignored.
    #[serde(default)]
    pub actions: Vec<String>,
}

/// The authenticated caller.
///
/// Built from a verified token's [`Claims`]; every use case asks it before touching a
/// campaign. A refusal is the same whether the campaign exists or not.
///
/// ```
/// use campaign_domain::DomainError;
/// use campaign_domain::permission::{Action, Actor, Claims, ReadScope};
/// use campaign_domain::serde_json::{self, json};
/// use campaign_domain::values::CampaignId;
///
/// let spring = CampaignId::parse("65a1b2c3d4e5f60718293a4b").unwrap();
/// let autumn = CampaignId::parse("65a1b2c3d4e5f60718293a4c").unwrap();
/// let claims: Claims = serde_json::from_value(json!({
///     "userId": "ana",
///     "campaigns": {
///         "65a1b2c3d4e5f60718293a4b": {"actions": ["write"]},
///         "65a1b2c3d4e5f60718293a4c": {"actions": ["read"]}
///     }
/// }))
/// .unwrap();
/// let ana = Actor::from_claims(&claims);
///
/// assert!(ana.can(Action::Write, &spring));
/// assert!(ana.can(Action::Read, &spring)); // write implies read
/// assert!(ana.can(Action::Read, &autumn) && !ana.can(Action::Write, &autumn));
/// assert_eq!(
///     ana.require(Action::Write, &autumn),
///     Err(DomainError::Unauthorized { action: "write".to_owned() })
/// );
/// assert_eq!(ana.require_supreme(), Err(DomainError::SupremeUserRequired));
/// assert_eq!(ana.read_scope(), ReadScope::Only(vec![spring.clone(), autumn]));
///
/// let root = Actor::supreme("root");
/// assert!(root.can(Action::Admin, &spring));
/// assert_eq!(root.read_scope(), ReadScope::All);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    user_id: String,
    supreme: bool,
    grants: HashMap<CampaignId, HashSet<Action>>,
}

/// Which campaigns an actor may read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Every campaign (supreme).
    All,
    /// Only these.
    Only(Vec<CampaignId>),
}

impl Actor {
    /// An actor from verified claims. Grants for keys that are not campaign ids, and unknown
    /// action names, are ignored (they can never match a campaign).
    pub fn from_claims(claims: &Claims) -> Self {
        let grants = claims
            .campaigns
            .iter()
            .filter_map(|(id, grant)| {
                let id = CampaignId::parse(id).ok()?;
                let actions = grant
                    .actions
                    .iter()
                    .filter_map(|a| Action::parse(a))
                    .collect();
                Some((id, actions))
            })
            .collect();
        Self {
            user_id: claims.user_id.clone(),
            supreme: claims.supreme,
            grants,
        }
    }

    /// A supreme actor (for tooling and tests).
    pub fn supreme(user_id: impl Into<String>) -> Self {
        Self {
            user_id: user_id.into(),
            supreme: true,
            grants: HashMap::new(),
        }
    }

    /// An actor with exactly these grants.
    pub fn with_grants(
        user_id: impl Into<String>,
        grants: impl IntoIterator<Item = (CampaignId, Vec<Action>)>,
    ) -> Self {
        Self {
            user_id: user_id.into(),
            supreme: false,
            grants: grants
                .into_iter()
                .map(|(id, a)| (id, a.into_iter().collect()))
                .collect(),
        }
    }

    /// The user id.
    pub fn user_id(&self) -> &str {
        &self.user_id
    }

    /// Whether the actor is a global admin.
    pub fn is_supreme(&self) -> bool {
        self.supreme
    }

    /// Whether the actor may perform `action` on `campaign`.
    pub fn can(&self, action: Action, campaign: &CampaignId) -> bool {
        if self.supreme {
            return true;
        }
        let Some(granted) = self.grants.get(campaign) else {
            return false;
        };
        granted.contains(&Action::Admin)
            || granted.contains(&action)
            // Write implies read: who may change a campaign may see it.
            || (action == Action::Read && granted.contains(&Action::Write))
    }

    /// `Ok` when the actor may perform `action` on `campaign`, else `UNAUTHORIZED`.
    pub fn require(&self, action: Action, campaign: &CampaignId) -> Result<(), DomainError> {
        if self.can(action, campaign) {
            Ok(())
        } else {
            Err(DomainError::Unauthorized {
                action: action.as_str().to_owned(),
            })
        }
    }

    /// `Ok` for a supreme actor, else `SUPREME_USER_REQUIRED`.
    pub fn require_supreme(&self) -> Result<(), DomainError> {
        if self.supreme {
            Ok(())
        } else {
            Err(DomainError::SupremeUserRequired)
        }
    }

    /// `Ok` when the actor may change or link each of `wanted` on a campaign that links
    /// `linked` (SPEC §7.8): contacts are shared by the campaigns that link them, so a
    /// campaign's writer may touch only those its campaign already links (new contacts come
    /// without an id); everything else is for supreme actors. `UNAUTHORIZED` otherwise — the
    /// same answer whether such a contact exists or not, so ids cannot be probed.
    ///
    /// ```
    /// use campaign_domain::permission::Actor;
    /// use campaign_domain::values::ContactId;
    ///
    /// let mine = ContactId::parse("0123456789abcdef01234567").unwrap();
    /// let theirs = ContactId::parse("76543210fedcba9876543210").unwrap();
    /// let writer = Actor::with_grants("ana", []);
    /// assert!(writer.may_touch_contacts(&[mine.clone()], [&mine]).is_ok());
    /// assert!(writer.may_touch_contacts(&[mine.clone()], [&theirs]).is_err());
    /// assert!(Actor::supreme("root").may_touch_contacts(&[], [&theirs]).is_ok());
    /// ```
    pub fn may_touch_contacts<'a>(
        &self,
        linked: &[ContactId],
        wanted: impl IntoIterator<Item = &'a ContactId>,
    ) -> Result<(), DomainError> {
        if self.supreme || wanted.into_iter().all(|id| linked.contains(id)) {
            Ok(())
        } else {
            Err(DomainError::Unauthorized {
                action: "change or link contacts not linked to".to_owned(),
            })
        }
    }

    /// The campaigns this actor may read.
    pub fn read_scope(&self) -> ReadScope {
        if self.supreme {
            return ReadScope::All;
        }
        let mut ids: Vec<CampaignId> = self
            .grants
            .keys()
            .filter(|id| self.can(Action::Read, id))
            .cloned()
            .collect();
        ids.sort();
        ReadScope::Only(ids)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> CampaignId {
        CampaignId::from_bytes([n; 12])
    }

    fn claims(json: serde_json::Value) -> Actor {
        Actor::from_claims(&serde_json::from_value(json).unwrap())
    }

    #[test]
    fn grants_follow_the_action_hierarchy() {
        let a = claims(serde_json::json!({
            "userId": "u1",
            "campaigns": {
                id(1).as_str(): {"actions": ["read"]},
                id(2).as_str(): {"actions": ["write"]},
                id(3).as_str(): {"actions": ["admin"]},
                "not-an-id": {"actions": ["admin"]},
                id(4).as_str(): {"actions": ["bogus"]}
            }
        }));
        assert!(a.can(Action::Read, &id(1)) && !a.can(Action::Write, &id(1)));
        assert!(a.can(Action::Read, &id(2)) && a.can(Action::Write, &id(2)));
        assert!(
            a.can(Action::Read, &id(3))
                && a.can(Action::Write, &id(3))
                && a.can(Action::Admin, &id(3))
        );
        assert!(!a.can(Action::Read, &id(4)));
        assert!(!a.can(Action::Read, &id(5)));
        assert_eq!(a.read_scope(), ReadScope::Only(vec![id(1), id(2), id(3)]));
        assert_eq!(
            a.require(Action::Write, &id(1)),
            Err(DomainError::Unauthorized {
                action: "write".into()
            })
        );
        assert_eq!(a.require_supreme(), Err(DomainError::SupremeUserRequired));
    }

    #[test]
    fn supreme_may_do_everything() {
        let s = claims(serde_json::json!({"userId": "root", "supreme": true}));
        assert!(s.can(Action::Admin, &id(9)));
        assert_eq!(s.read_scope(), ReadScope::All);
        assert!(s.require_supreme().is_ok());
        assert_eq!(s.user_id(), "root");
    }

    #[test]
    fn the_refusal_is_the_same_for_existing_and_unknown_campaigns() {
        let a = Actor::with_grants("u", [(id(1), vec![Action::Read])]);
        assert_eq!(
            a.require(Action::Write, &id(1)),
            a.require(Action::Write, &id(7))
        );
    }
}
