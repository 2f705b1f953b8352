//! Keyset pages of listings ordered by id (UUIDv7, so creation order): the cursor of the next
//! page is the id of the last row, and a page costs the same however deep it is.

use uuid::Uuid;

/// One page of rows and the cursor of the next page, absent on the last one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows, in id order.
    pub rows: Vec<T>,
    /// Pass back as the cursor for the next page.
    pub next: Option<String>,
}

/// How many rows to fetch for a page of `limit`: one more tells whether another page follows.
pub fn fetch_size(limit: u64) -> u64 {
    limit.saturating_add(1)
}

/// Cuts rows fetched with [`fetch_size`] to a page of `limit`, with the next page's cursor.
pub fn page<T>(mut rows: Vec<T>, limit: u64, id: impl Fn(&T) -> Uuid) -> Page<T> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let more = rows.len() > limit;
    rows.truncate(limit);
    let next = if more {
        rows.last().map(|r| id(r).to_string())
    } else {
        None
    };
    Page { rows, next }
}

/// The id a cursor names; `None` when it is not one a page handed out.
pub fn after(cursor: &str) -> Option<Uuid> {
    Uuid::parse_str(cursor).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_knows_whether_another_follows() {
        let ids: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
        let full = page(ids.clone(), 2, |id| *id);
        assert_eq!(full.rows, ids[..2]);
        assert_eq!(full.next, Some(ids[1].to_string()));
        let last = page(ids[..2].to_vec(), 2, |id| *id);
        assert_eq!(last.next, None);
        assert_eq!(after(&ids[1].to_string()), Some(ids[1]));
        assert_eq!(after("not-a-cursor"), None);
        assert_eq!(fetch_size(u64::MAX), u64::MAX);
    }
}
