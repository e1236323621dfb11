//! What a clash is about: one field both sides changed, or the whole entity (an edit against
//! a delete, or against a file that cannot be read). Stored, serialized and shown as the
//! field's name, or `*` for the whole entity — the form the database rows, the window and
//! the CLI have always used.

use std::fmt;

/// What a clash is about (see the module).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConflictField {
    /// The whole entity, spelled `*`.
    Whole,
    /// One field, by name.
    Field(String),
}

impl ConflictField {
    const WHOLE: &'static str = "*";

    pub fn as_str(&self) -> &str {
        match self {
            ConflictField::Whole => Self::WHOLE,
            ConflictField::Field(name) => name,
        }
    }

    pub fn is_whole(&self) -> bool {
        matches!(self, ConflictField::Whole)
    }

    /// The field's name, if it is one field.
    pub fn name(&self) -> Option<&str> {
        match self {
            ConflictField::Whole => None,
            ConflictField::Field(name) => Some(name),
        }
    }
}

impl From<&str> for ConflictField {
    fn from(text: &str) -> Self {
        if text == Self::WHOLE {
            ConflictField::Whole
        } else {
            ConflictField::Field(text.to_owned())
        }
    }
}

impl From<String> for ConflictField {
    fn from(text: String) -> Self {
        if text == Self::WHOLE {
            ConflictField::Whole
        } else {
            ConflictField::Field(text)
        }
    }
}

impl fmt::Display for ConflictField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for ConflictField {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ConflictField {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ConflictField::from)
    }
}

impl sqlx::Type<sqlx::Sqlite> for ConflictField {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <str as sqlx::Type<sqlx::Sqlite>>::type_info()
    }
    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <str as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
    }
}

impl<'q> sqlx::Encode<'q, sqlx::Sqlite> for ConflictField {
    fn encode_by_ref(
        &self,
        buf: &mut <sqlx::Sqlite as sqlx::Database>::ArgumentBuffer,
    ) -> Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        <String as sqlx::Encode<'q, sqlx::Sqlite>>::encode(self.as_str().to_owned(), buf)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for ConflictField {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        <&str as sqlx::Decode<'r, sqlx::Sqlite>>::decode(value).map(ConflictField::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_entity_is_spelled_as_a_star_and_a_field_by_its_name() {
        assert_eq!(ConflictField::from("*"), ConflictField::Whole);
        assert_eq!(ConflictField::from("title"), ConflictField::Field("title".into()));
        assert_eq!(serde_json::to_value(ConflictField::Whole).unwrap(), "*");
        let field: ConflictField = serde_json::from_value("title".into()).unwrap();
        assert_eq!(field.to_string(), "title");
    }
}
