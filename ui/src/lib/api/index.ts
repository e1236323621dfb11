// The one door from the UI to the backend. Components import from here, never from
// @tauri-apps/* or the generated bindings directly. Every command is wrapped so that a
// failure is thrown as an ApiError whose `code` (and `field`) the UI switches on — never the
// English message. Events follow docs/DESIGN.md (Events): subscribeToProject / subscribeToAllProjects.
import { Channel } from "@tauri-apps/api/core";
import {
  commands,
  events,
  type Account_Serialize,
  type AppSettings_Serialize,
  type Check,
  type Component_Serialize,
  type ComponentChanges_Deserialize,
  type NewComponent_Deserialize,
  type ComponentType,
  type Context_Serialize,
  type ContextChanges_Deserialize,
  type NewContext_Deserialize,
  type ContextType,
  type Database,
  type Dependency,
  type DesignDoc,
  type ErrorDetail,
  type ErrorView_Serialize,
  type FieldError,
  type Framework,
  type Graph_Serialize,
  type Inserted_Serialize,
  type Job_Serialize,
  type JobChanged_Serialize,
  type JobDetail_Serialize,
  type JobState,
  type LogLine,
  type Member_Serialize,
  type Move,
  type NewProject_Deserialize,
  type ProfileState_Serialize,
  type Project_Serialize,
  type ProjectRow_Serialize,
  type ProjectChanges_Deserialize,
  type Queue,
  type Role,
  type Session,
  type SessionStatus,
  type SessionType,
  type SetupStatus,
  type SetupView_Serialize,
  type Stage,
  type StageTransition_Serialize,
  type StepRecord_Serialize,
  type Story_Serialize,
  type StoryChanges_Deserialize,
  type NewStory_Deserialize,
  type StoryStatus,
  type StatusMove,
  type TargetType,
  type SignIn_Serialize,
  type SyncRun_Serialize,
  type SyncStatus_Serialize,
  type DeviceCodeView,
  type Resolution_Deserialize,
  type DocsConflict_Serialize,
  type DocsStatus_Serialize,
  type Problem,
  type PublishState,
  type SyncReport_Serialize,
  type IgnoredRepo,
  type Ignoring_Serialize,
  type SyncFilter,
  type SyncFilters,
  type Absence,
  type GitHubPerson_Serialize,
  type GitHubReason,
  type GitHubTeam_Serialize,
  type Outcome,
  type RepositoryChange,
  type Team_Serialize,
  type TeamChange_Serialize,
  type OwnerChoice,
  type GitHubSettings,
  type LastChange_Serialize,
  type Pulled,
  type Why_Serialize,
} from "../../bindings";

// What the backend sends (the bindings also describe what it would accept back).
export type Account = Account_Serialize;
export type SignIn = SignIn_Serialize;
export type SyncRun = SyncRun_Serialize;
export type SyncStatus = SyncStatus_Serialize;
export type { DeviceCodeView, ErrorDetail };
// GitHub set up from Settings (issue 19).
export type { OwnerChoice, GitHubSettings };
export type DocsStatus = DocsStatus_Serialize;
export type DocsConflict = DocsConflict_Serialize;
export type SyncReport = SyncReport_Serialize;
export type LastChange = LastChange_Serialize;
export type { Pulled };
/** Which stage rule would move a project next from what GitHub shows (issue 21). */
export type Why = Why_Serialize;
export type { Problem, PublishState };
export type Ignoring = Ignoring_Serialize;
export type { IgnoredRepo, SyncFilter, SyncFilters };
export type AppSettings = AppSettings_Serialize;
export type Component = Component_Serialize;
export type Context = Context_Serialize;
export type Graph = Graph_Serialize;
export type Inserted = Inserted_Serialize;
export type Job = Job_Serialize;
/** A job changed: which job, its queue, state and project; a page that shows the job reads it. */
export type JobNotice = JobChanged_Serialize;
export type JobDetail = JobDetail_Serialize;
export type Member = Member_Serialize;
// A project's people on GitHub beside its members (issue 18).
export type Team = Team_Serialize;
export type GitHubTeam = GitHubTeam_Serialize;
export type GitHubPerson = GitHubPerson_Serialize;
export type TeamChange = TeamChange_Serialize;
export type { Absence, GitHubReason, Outcome, RepositoryChange };
export type ProfileState = ProfileState_Serialize;
export type Project = Project_Serialize;
/** A project as the list shows it (`list_projects`): what its rows show and its search reads. */
export type ProjectRow = ProjectRow_Serialize;
export type SetupView = SetupView_Serialize;
export type StageTransition = StageTransition_Serialize;
export type StepRecord = StepRecord_Serialize;
export type Story = Story_Serialize;
// What the UI sends.
// What the commands take: the core's own input types (new ones, and partial changes).
export type NewComponent = NewComponent_Deserialize;
export type ComponentInput = ComponentChanges_Deserialize;
export type NewContext = NewContext_Deserialize;
export type ContextInput = ContextChanges_Deserialize;
export type NewProjectInput = NewProject_Deserialize;
export type ProjectChangesInput = ProjectChanges_Deserialize;
export type NewStory = NewStory_Deserialize;
export type StoryInput = StoryChanges_Deserialize;
export type DocsChoice = Resolution_Deserialize;
export type {
  Check,
  ComponentType,
  ContextType,
  Database,
  Dependency,
  DesignDoc,
  Framework,
  JobState,
  LogLine,
  Move,
  Queue,
  Role,
  Session,
  SessionStatus,
  SessionType,
  SetupStatus,
  Stage,
  StatusMove,
  StoryStatus,
  TargetType,
};

/** The core's error: `field` is the first (or only) input concerned, `fields` every input's
 * problem (`FieldError`), so that a form shows them all at once. */
export type ErrorView = ErrorView_Serialize;
export type { FieldError };
export type ErrorCode = ErrorView["code"];

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;
  /** Every field's problem; for a one-field error, that field's; else empty. */
  readonly fields: FieldError[];
  /** What a conflict is about (a stale version, the cycle, the allowed moves), when the core says. */
  readonly detail: ErrorDetail | null;

  constructor(view: ErrorView) {
    super(view.message);
    this.name = "ApiError";
    this.code = view.code;
    this.field = view.field ?? null;
    this.detail = view.detail ?? null;
    const fields = (view.fields ?? []).filter((f) => typeof f?.field === "string" && typeof f.message === "string");
    this.fields = fields.length > 0 || !view.field ? fields : [{ field: view.field, message: view.message }];
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ErrorView };

function unwrap<T>(result: Result<T>): T {
  if (result.status === "error") throw new ApiError(result.error);
  return result.data;
}

type Commands = typeof commands;
type Unwrapped<F> = F extends (...args: infer A) => Promise<Result<infer D>> ? (...args: A) => Promise<D> : never;

/** Writes a failure the window met to the app's log (never throws; never about itself). */
export function logFailure(context: string, error: unknown): void {
  const log = (commands as Partial<Commands>).logUiError;
  if (typeof log !== "function" || context === "logUiError") return;
  log(context, messageOf(error)).catch(() => {});
}

/** Failures that are not the person's input: the IPC itself, or the core's own trouble. */
const UNEXPECTED: ErrorCode[] = ["internal", "unavailable"];

/** Every backend command; a failure throws an ApiError (and an unexpected one is logged). */
export const api = Object.fromEntries(
  Object.entries(commands).map(([name, call]) => [
    name,
    async (...args: unknown[]) => {
      let result: Result<unknown>;
      try {
        result = await (call as (...a: unknown[]) => Promise<Result<unknown>>)(...args);
      } catch (e) {
        logFailure(name, e);
        throw e;
      }
      if (result.status === "error" && UNEXPECTED.includes(result.error.code)) logFailure(name, result.error.message);
      return unwrap(result);
    },
  ]),
) as { [K in keyof Commands]: Unwrapped<Commands[K]> };

/** The error's field when it has one, else null: forms show it beside that input. */
export function fieldOf(error: unknown): string | null {
  return error instanceof ApiError ? error.field : null;
}

/** Every field's problem the error names (none for an error of no field). */
export function fieldsOf(error: unknown): FieldError[] {
  return error instanceof ApiError ? error.fields : [];
}

/** A message a person can read for any thrown value. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

// ---- Events (docs/DESIGN.md: Events) ----

export type ProjectMessage = { event: "project_updated"; project: Project } | { event: "project_error"; project: Project; error: string };

export type Unsubscribe = () => void;

type ProjectListener = { filter: (p: Project) => boolean; handler: (m: ProjectMessage) => void };

/** Everyone listening for project updates: one listener of the backend's events serves all. */
const projectListeners = new Set<ProjectListener>();
let notices: Promise<Unsubscribe> | null = null;
/** The projects being read now, each with whether another notice came meanwhile. */
const reading = new Map<string, { again: boolean }>();

/** A project is read again at most this often while its notices keep coming. */
export const READ_EVERY_MS = 250;

/** Hands the message to every listener its project concerns; says whether any. */
function handOn(m: ProjectMessage): boolean {
  let concerned = false;
  for (const l of [...projectListeners]) {
    if (!l.filter(m.project)) continue;
    concerned = true;
    l.handler(m);
  }
  return concerned;
}

/**
 * A project changed: read it and hand it to every listener it concerns. The backend's
 * `project-updated` carries the id only (docs/DECISIONS.md, "Project notices"). One read at a
 * time per project, and at most one every READ_EVERY_MS: notices that come during a read, or
 * soon after it, make one more read, so the last thing handed on is what the project is after
 * the last notice.
 */
async function readChanged(id: string): Promise<void> {
  const busy = reading.get(id);
  if (busy) {
    busy.again = true;
    return;
  }
  const me = { again: false };
  reading.set(id, me);
  try {
    do {
      const started = performance.now();
      me.again = false;
      // A project that cannot be read (deleted or left meanwhile) is handed to no one: its
      // removal comes as its own event. `api` logs what is not the person's doing.
      await api.getProject(id).then(
        (project) => handOn({ event: "project_updated", project }),
        () => {},
      );
      // The notices of the rest of the interval wait for its end, and make one read then.
      const rest = started + READ_EVERY_MS - performance.now();
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));
    } while (me.again);
  } finally {
    if (reading.get(id) === me) reading.delete(id);
  }
}

/** The window's one subscription to the backend's project events. */
async function listenToNotices(): Promise<Unsubscribe> {
  const off = await Promise.all([
    events.projectUpdated.listen((e) => void readChanged(e.payload.project_id)),
    events.projectError.listen((e) => {
      const { project, error } = e.payload;
      // A read already on its way may hand on the project from before the failure: one more
      // read after it hands on the failed one last.
      if (handOn({ event: "project_error", project, error })) void readChanged(project.id);
    }),
  ]);
  return () => off.forEach((f) => f());
}

/** The unit tests' backend (and its event listeners) is new for each test: the next listener
 * subscribes to the notices again. */
export function forgetProjectNotices(): void {
  projectListeners.clear();
  reading.clear();
  notices = null;
}

async function listenProjects(filter: (p: Project) => boolean, handler: (m: ProjectMessage) => void): Promise<Unsubscribe> {
  const subscribing = (notices ??= listenToNotices());
  try {
    await subscribing;
  } catch (e) {
    if (notices === subscribing) notices = null;
    throw e;
  }
  const listener = { filter, handler };
  projectListeners.add(listener);
  return () => void projectListeners.delete(listener);
}

/** Updates of one project (the topic `projects:{id}`). */
export function subscribeToProject(projectId: string, handler: (m: ProjectMessage) => void): Promise<Unsubscribe> {
  return listenProjects((p) => p.id === projectId, handler);
}

/** Updates of every project (the topic `projects:*`). */
export function subscribeToAllProjects(handler: (m: ProjectMessage) => void): Promise<Unsubscribe> {
  return listenProjects(() => true, handler);
}

/** A job changed (its state, a step's start or end): a notice, not the job (docs/DESIGN.md, Events). */
export function onJobChanged(handler: (job: JobNotice) => void): Promise<Unsubscribe> {
  return events.jobChanged.listen((e) => handler(e.payload));
}

/** A notification or the tray asked to show a project. */
export function onOpenProject(handler: (projectId: string) => void): Promise<Unsubscribe> {
  return events.openProject.listen((e) => handler(e.payload.project_id));
}

/** The project's spec (stories, contexts, components, dependencies, design docs) changed —
 * here, in another process, or from its docs repository. */
export function onSpecChanged(projectId: string, handler: () => void): Promise<Unsubscribe> {
  return events.specChanged.listen((e) => {
    if (e.payload.project_id === projectId) handler();
  });
}

/**
 * Subscribes (with `subscribe`) for as long as a component is mounted: returns the function that
 * ends it, for an `$effect` to return. Ending it before the subscription is done ends that too;
 * a subscription the backend refuses leaves the page as it is, only not live.
 */
export function whileMounted(subscribe: () => Promise<Unsubscribe>): () => void {
  let off: Unsubscribe | null = null;
  let gone = false;
  const end = (f: Unsubscribe) => {
    try {
      void Promise.resolve(f() as unknown).catch(() => {});
    } catch {
      // Already gone with the window.
    }
  };
  subscribe().then(
    (f) => (gone ? end(f) : (off = f)),
    () => {},
  );
  return () => {
    gone = true;
    if (off) end(off);
    off = null;
  };
}

/** A project left the profile's list (deleted, or its membership ended), here or in another process. */
export function onProjectRemoved(handler: (projectId: string) => void): Promise<Unsubscribe> {
  return events.projectRemoved.listen((e) => handler(e.payload.project_id));
}

/** The backend could not deliver every event: reload what is shown. */
export function onResync(handler: () => void): Promise<Unsubscribe> {
  return events.resync.listen(() => handler());
}

/** Streams a job's log in batches: stored lines after `after`, then live ones until the job ends. */
export async function followJobLog(jobId: number, after: number, onLines: (lines: LogLine[]) => void): Promise<Unsubscribe> {
  let open = true;
  const channel = new Channel<LogLine[]>();
  channel.onmessage = (lines) => {
    if (open) onLines(lines);
  };
  await api.followJobLog(jobId, after, channel);
  return () => {
    open = false;
  };
}
