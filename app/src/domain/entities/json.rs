//! Typed reading of the JSON kept in TEXT columns. A value that does not decode is corrupt data,
//! not an empty one: it is logged with its table, column and row and becomes an error (an
//! internal error to the caller), never a silent default.

use sea_orm::DbErr;
use serde::de::DeserializeOwned;

/// Decodes the JSON `text` of `table.column` in the row `row`.
pub fn decode<T: DeserializeOwned>(
    text: &str,
    table: &'static str,
    column: &'static str,
    row: &impl std::fmt::Display,
) -> Result<T, DbErr> {
    serde_json::from_str(text).map_err(|e| {
        tracing::error!(table, column, row = %row, error = %e, "a stored JSON value does not decode");
        DbErr::Json(format!("{table}.{column} of {row}: {e}"))
    })
}

/// Like [`decode`], for a nullable column: `NULL` is `T::default()`.
pub fn decode_or_default<T: DeserializeOwned + Default>(
    text: Option<&str>,
    table: &'static str,
    column: &'static str,
    row: &impl std::fmt::Display,
) -> Result<T, DbErr> {
    match text {
        Some(text) => decode(text, table, column, row),
        None => Ok(T::default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrupt_json_is_an_error_not_a_default() {
        let row = uuid::Uuid::nil();
        let ok: Vec<String> = decode(r#"["a"]"#, "t", "c", &row).expect("decodes");
        assert_eq!(ok, ["a"]);
        let err = decode::<Vec<String>>("{not json", "t", "c", &row).expect_err("corrupt");
        assert!(matches!(err, DbErr::Json(m) if m.contains("t.c")));
        let none: Vec<String> = decode_or_default(None, "t", "c", &row).expect("null");
        assert!(none.is_empty());
        assert!(decode_or_default::<Vec<String>>(Some("7"), "t", "c", &row).is_err());
    }
}
