//! Typed ids for the records the domain passes around together, so that a tenant id cannot be
//! handed over where a connector id belongs: swapping two of them no longer compiles.

use std::fmt;

use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }

        impl From<$name> for sea_orm::Value {
            fn from(id: $name) -> sea_orm::Value {
                id.0.into()
            }
        }
    };
}

id_type!(
    /// A tenant's id.
    TenantId
);
id_type!(
    /// A connector's id.
    ConnectorId
);
id_type!(
    /// A connection's id.
    ConnectionId
);
id_type!(
    /// A connect link's id.
    LinkId
);
id_type!(
    /// An environment's id: the data set a tenant, connector, endpoint or API key belongs to.
    EnvironmentId
);
