//! Ids are types: each entity's id is its own newtype over a [`Uuid`], so a story's id cannot be
//! passed where a project's is wanted, and a value of the type is always a well-formed id.
//! Raw text is parsed once, at the boundary (a CLI argument, a command's input, a file's front
//! matter, a job's arguments) with [`ProjectId::parse`] and friends; the core's functions take
//! the types and check nothing more.
//!
//! Every id keeps the text form the database has always held — the hyphenated, lower-case
//! UUID — in SQLite (as `TEXT`), in JSON and in the generated TypeScript (`string`), so rows
//! and payloads are byte-identical to the days of plain strings.

use crate::error::{Error, Result};
use uuid::Uuid;

/// Declares an id newtype over [`Uuid`] with its text form, serde, sqlx and specta impls.
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh random (v4) id.
            #[allow(clippy::new_without_default)] // a default id would be a random one: say so
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }

            /// Parses a caller's text (surrounding blanks ignored, any case, any UUID form):
            /// a bad one is an `invalid_input` error on `field`.
            pub fn parse(field: &str, raw: &str) -> Result<Self> {
                raw.parse().map_err(|_| Error::invalid(field, format!("\"{raw}\" is not an id")))
            }

            pub fn as_uuid(&self) -> &Uuid {
                &self.0
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;

            fn from_str(raw: &str) -> std::result::Result<Self, Self::Err> {
                Uuid::parse_str(raw.trim()).map(Self)
            }
        }

        impl std::fmt::Display for $name {
            /// The hyphenated lower-case form the database holds.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }

        impl PartialEq<str> for $name {
            /// Compares with text the way the database would: the canonical form only.
            fn eq(&self, other: &str) -> bool {
                *self.0.hyphenated().encode_lower(&mut Uuid::encode_buffer()) == *other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                self == other.as_str()
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(
                d: D,
            ) -> std::result::Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                raw.parse().map_err(|_| {
                    serde::de::Error::custom(format!("\"{raw}\" is not an id"))
                })
            }
        }

        impl sqlx::Type<sqlx::Sqlite> for $name {
            fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
                <String as sqlx::Type<sqlx::Sqlite>>::type_info()
            }

            fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            }
        }

        impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for $name {
            fn encode_by_ref(
                &self,
                buf: &mut <sqlx::Sqlite as sqlx::Database>::ArgumentBuffer,
            ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
                <String as sqlx::Encode<'q, sqlx::Sqlite>>::encode(self.to_string(), buf)
            }
        }

        impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for $name {
            fn decode(
                value: sqlx::sqlite::SqliteValueRef<'r>,
            ) -> std::result::Result<Self, sqlx::error::BoxDynError> {
                let raw = <&str as sqlx::Decode<'r, sqlx::Sqlite>>::decode(value)?;
                Ok(raw.parse()?)
            }
        }

        /// A string in the generated TypeScript, as the JSON is.
        #[cfg(feature = "specta")]
        impl specta::Type for $name {
            fn definition(types: &mut specta::Types) -> specta::datatype::DataType {
                <String as specta::Type>::definition(types)
            }
        }
    };
}

id_type! {
    /// A project's id.
    ProjectId
}

id_type! {
    /// An account's id (a person using this machine's app).
    AccountId
}

id_type! {
    /// A user story's id.
    StoryId
}

id_type! {
    /// A bounded context's id.
    ContextId
}

id_type! {
    /// A component's id.
    ComponentId
}

id_type! {
    /// An agent session's id.
    SessionId
}

id_type! {
    /// The id of an entity whose kind is named beside it: an agent session's target (a
    /// project, a context or a component), a docs conflict's story or context.
    EntityId
}

/// Any entity's id is an [`EntityId`].
macro_rules! entity_ids {
    ($($kind:ident),*) => {$(
        impl From<$kind> for EntityId {
            fn from(id: $kind) -> Self {
                Self(id.0)
            }
        }
    )*};
}

entity_ids!(ProjectId, StoryId, ContextId, ComponentId);

#[cfg(test)]
mod tests;
