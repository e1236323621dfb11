//! A project's team: its local members beside the people GitHub says can reach its code
//! repository, and inviting, changing and removing people by GitHub login (issue 18). The
//! acting profile's own token goes to its own GitHub host only (the core sees to both).

use super::Res;
use crate::AppState;
use codemyspec_core::memberships::{self, Member};
use codemyspec_core::team::{self, Team, TeamChange};
use codemyspec_core::Role;
use tauri::State;

/// The members page: local members, GitHub's people, or why those are not shown.
#[tauri::command]
#[specta::specta]
pub async fn project_team(state: State<'_, AppState>, id: String) -> Res<Team> {
    let actor = state.actor().await?;
    Ok(team::overview(&state.store, &state.secrets, &actor, &super::project_id(&id)?).await?)
}

/// Invites a GitHub login to the project's repositories on GitHub with `role`.
#[tauri::command]
#[specta::specta]
pub async fn invite_to_team(
    state: State<'_, AppState>,
    id: String,
    login: String,
    role: Role,
) -> Res<TeamChange> {
    let actor = state.actor().await?;
    Ok(team::invite(&state.store, &state.secrets, &actor, &super::project_id(&id)?, &login, role)
        .await?)
}

/// Changes the role of a GitHub login on the project's repositories (and here).
#[tauri::command]
#[specta::specta]
pub async fn set_team_role(
    state: State<'_, AppState>,
    id: String,
    login: String,
    role: Role,
) -> Res<TeamChange> {
    let actor = state.actor().await?;
    Ok(team::set_role(&state.store, &state.secrets, &actor, &super::project_id(&id)?, &login, role)
        .await?)
}

/// Removes a GitHub login from the project's repositories (and here).
#[tauri::command]
#[specta::specta]
pub async fn remove_from_team(
    state: State<'_, AppState>,
    id: String,
    login: String,
) -> Res<TeamChange> {
    let actor = state.actor().await?;
    Ok(team::remove(&state.store, &state.secrets, &actor, &super::project_id(&id)?, &login).await?)
}

/// Changes a local member's role (this machine only).
#[tauri::command]
#[specta::specta]
pub async fn set_member_role(
    state: State<'_, AppState>,
    id: String,
    account_id: String,
    role: Role,
) -> Res<Member> {
    let actor = state.actor().await?;
    let (project_id, account_id) = (super::project_id(&id)?, super::account_id(&account_id)?);
    Ok(memberships::set_role(&state.store, &actor, &project_id, &account_id, role).await?)
}
