//! A code repository and its docs repository are one project, never two (issue 18). Which
//! repository is whose docs is a naming rule: the docs repository of `OWNER/NAME` is
//! `OWNER/NAME-docs` or `OWNER/NAME_docs` (in any case), in the same owner — the name the
//! window suggests for a docs repository and the one our setups and tests use.

/// The suffixes that make a repository another one's docs.
const SUFFIXES: [&str; 2] = ["-docs", "_docs"];

/// The name of the code repository whose docs a repository named `name` holds, if its name
/// says so (`shop-docs` → `shop`). A bare `docs` is nobody's.
pub fn code_name_of(name: &str) -> Option<&str> {
    SUFFIXES.iter().find_map(|suffix| {
        let cut = name.len().checked_sub(suffix.len()).filter(|&cut| cut > 0)?;
        let (stem, tail) = (name.get(..cut)?, name.get(cut..)?);
        tail.eq_ignore_ascii_case(suffix).then_some(stem)
    })
}

/// The code repository's URL beside a docs repository's (`…/acme/shop-docs` → `…/acme/shop`):
/// both live in one owner, on one host.
pub fn code_url_of(docs_url: &str) -> Option<String> {
    let (base, name) = docs_url.trim_end_matches('/').rsplit_once('/')?;
    code_name_of(name).map(|stem| format!("{base}/{stem}"))
}

/// Whether `owner/name` is the full name of the code repository whose docs `docs_full_name`
/// would hold (owners and names compared as GitHub does, without regard to case).
pub fn is_docs_of(docs_full_name: &str, code_full_name: &str) -> bool {
    let Some((owner, name)) = docs_full_name.split_once('/') else { return false };
    let Some(stem) = code_name_of(name) else { return false };
    code_full_name.eq_ignore_ascii_case(&format!("{owner}/{stem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_docs_repository_is_named_after_its_code_repository() {
        assert_eq!(code_name_of("shop-docs"), Some("shop"));
        assert_eq!(code_name_of("shop_docs"), Some("shop"));
        assert_eq!(code_name_of("My-Shop_DOCS"), Some("My-Shop"));
        assert_eq!(code_name_of("shop.docs"), None);
        assert_eq!(code_name_of("docs"), None, "a bare docs repository is nobody's");
        assert_eq!(code_name_of("-docs"), None);
        assert_eq!(code_name_of("shopdocs"), None);
        assert_eq!(code_name_of("shop"), None);
        assert_eq!(code_name_of("é-docs"), Some("é"), "no panic on a multi-byte name");
    }

    #[test]
    fn the_pair_lives_in_one_owner_on_one_host() {
        assert_eq!(
            code_url_of("https://github.com/acme/shop_docs").as_deref(),
            Some("https://github.com/acme/shop")
        );
        assert_eq!(code_url_of("https://github.com/acme/shop"), None);
        assert!(is_docs_of("acme/Shop-docs", "ACME/shop"));
        assert!(!is_docs_of("globex/shop-docs", "acme/shop"), "another owner's");
        assert!(!is_docs_of("acme/shop", "acme/shop"));
    }
}
