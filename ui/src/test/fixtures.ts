// Values shaped like what the backend sends, for component tests.
import type { Account, Context, DocsConflict, DocsStatus, Project, SetupStatus, StepRecord, Job, JobNotice, Story } from "../lib/api";

export function account(overrides: Partial<Account> = {}): Account {
  return {
    id: "acc-1",
    email: "ada@example.com",
    name: "Ada",
    github_login: null,
    inserted_at: "2026-01-01T00:00:00.000000Z",
    updated_at: "2026-01-01T00:00:00.000000Z",
    ...overrides,
  };
}

export function project(overrides: Partial<Project> = {}): Project {
  return {
    id: "p-1",
    name: "my_shop",
    module_name: "MyShop",
    description: null,
    framework: "elixir",
    database: "sqlite3",
    code_repo: null,
    docs_repo: null,
    github_repo_id: null,
    docs_repo_id: null,
    github_repo_name: null,
    stage: "draft",
    setup_status: "created",
    setup_error: null,
    executive_summary: null,
    executive_summary_approved: false,
    setup_complete: false,
    context_mapping_approved: false,
    public_repos: false,
    local_path: null,
    owner_id: "acc-1",
    inserted_at: "2026-01-01T00:00:00.000000Z",
    updated_at: "2026-01-01T00:00:00.000000Z",
    ...overrides,
  };
}

/** The window's notice of a change of `j` (the event \`job-changed\`). */
export function jobNotice(j: Job): JobNotice {
  return { job_id: j.id, queue: j.queue, state: j.state, project_id: j.args.project_id ?? null };
}

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: 1,
    state: "executing",
    queue: "project_setup",
    worker: "ProjectSetup",
    args: { project_id: "p-1" },
    meta: {},
    priority: 1,
    attempt: 1,
    max_attempts: 3,
    errors: [],
    unique_key: "ProjectSetup:p-1",
    inserted_at: "2026-01-01T00:00:00.000000Z",
    scheduled_at: "2026-01-01T00:00:00.000000Z",
    attempted_at: "2026-01-01T00:00:00.000000Z",
    completed_at: null,
    cancelled_at: null,
    discarded_at: null,
    ...overrides,
  };
}

export function step(position: number, status: SetupStatus, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    attempt: 1,
    position,
    status,
    command: `step ${position}`,
    started_at: "2026-01-01T00:00:00.000000Z",
    finished_at: "2026-01-01T00:00:01.000000Z",
    duration_ms: 1200,
    exit_code: 0,
    outcome: "ok",
    ...overrides,
  };
}

export function docsStatus(overrides: Partial<DocsStatus> = {}): DocsStatus {
  return {
    project: "p-1",
    state: "published",
    docs_repo: "https://github.com/acme/my_shop_docs",
    outbox: { entities: 0, changes: 0 },
    synced_commit: "abc123",
    synced_at: "2026-01-01T00:00:00.000000Z",
    attempted_at: "2026-01-01T00:00:00.000000Z",
    error: null,
    offline: false,
    conflicts: 0,
    problems: [],
    added: 0,
    ...overrides,
  };
}

export function docsConflict(overrides: Partial<DocsConflict> = {}): DocsConflict {
  return {
    entity_id: "s-1",
    kind: "story",
    label: "Checkout",
    field: "description",
    mine: "As a buyer I pay by card",
    theirs: "As a buyer I pay in cash",
    base: "As a buyer I pay",
    unreadable: false,
    at: "2026-01-01T00:00:00.000000Z",
    ...overrides,
  };
}

/** A draft story titled `title`; its id is `s-<title>`. */
export function story(title: string, overrides: Partial<Story> = {}): Story {
  return {
    id: `s-${title}`,
    project_id: "p1",
    title,
    description: `about ${title}`,
    acceptance_criteria: null,
    status: "draft",
    dirty: false,
    approved: false,
    version: 1,
    inserted_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

/** A domain context named `name`; its id is `c-<name>`. */
export function context(name: string, overrides: Partial<Context> = {}): Context {
  return {
    id: `c-${name}`,
    project_id: "p1",
    name,
    type: "domain",
    purpose: `handles ${name}`,
    description: null,
    approved: false,
    dirty: false,
    version: 1,
    inserted_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}
