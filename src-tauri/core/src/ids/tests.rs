use super::*;
use crate::error::Code;

const TEXT: &str = "0f8e2c1a-4b6d-4e8f-9a1b-2c3d4e5f6a7b";

#[test]
fn an_id_prints_as_the_hyphenated_lower_case_text_the_database_holds() {
    let id = ProjectId::parse("project_id", "0F8E2C1A-4B6D-4E8F-9A1B-2C3D4E5F6A7B").unwrap();
    assert_eq!(id.to_string(), TEXT);
    assert_eq!(String::from(id), TEXT);
    assert_eq!(id, TEXT);
}

#[test]
fn a_bad_id_is_invalid_input_on_the_named_field() {
    let err = ProjectId::parse("project_id", "42").unwrap_err();
    assert_eq!((err.code(), err.field()), (Code::InvalidInput, Some("project_id")));
    assert!(err.to_string().contains("\"42\" is not an id"), "{err}");
    assert!(AccountId::parse("account_id", "").is_err());
}

#[test]
fn blanks_around_an_id_are_ignored_as_before() {
    assert_eq!(StoryId::parse("story_id", &format!("  {TEXT}\n")).unwrap(), TEXT);
}

#[test]
fn fresh_ids_differ_and_read_back() {
    let (a, b) = (ProjectId::new(), ProjectId::new());
    assert_ne!(a, b);
    assert_eq!(a.to_string().parse::<ProjectId>().unwrap(), a);
}

#[test]
fn json_holds_an_id_as_its_text_and_refuses_a_bad_one() {
    let id: ContextId = TEXT.parse().unwrap();
    assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{TEXT}\""));
    assert_eq!(serde_json::from_str::<ContextId>(&format!("\"{TEXT}\"")).unwrap(), id);
    let err = serde_json::from_str::<ContextId>("\"not-an-id\"").unwrap_err();
    assert!(err.to_string().contains("\"not-an-id\" is not an id"), "{err}");
    assert!(serde_json::from_str::<ContextId>("42").is_err());
}

#[tokio::test]
async fn sqlite_stores_an_id_as_the_same_text_and_reads_it_back() {
    let pool = sqlx::sqlite::SqlitePool::connect("sqlite::memory:").await.unwrap();
    sqlx::query("CREATE TABLE t (id TEXT NOT NULL)").execute(&pool).await.unwrap();
    let id: ComponentId = TEXT.parse().unwrap();
    sqlx::query("INSERT INTO t (id) VALUES (?)").bind(id).execute(&pool).await.unwrap();
    let (text, kind): (String, String) =
        sqlx::query_as("SELECT id, typeof(id) FROM t").fetch_one(&pool).await.unwrap();
    assert_eq!((text.as_str(), kind.as_str()), (TEXT, "text"));
    let back: ComponentId = sqlx::query_scalar("SELECT id FROM t WHERE id = ?")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(back, id);
    let bad: Result<ComponentId, _> =
        sqlx::query_scalar("SELECT 'not-an-id'").fetch_one(&pool).await;
    assert!(bad.is_err());
}
