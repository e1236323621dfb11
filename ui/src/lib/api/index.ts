// The one door from the UI to the backend. Components import from here, never from
// @tauri-apps/* or the generated bindings directly: failures become a thrown ApiError whose
// `code` the UI switches on (never the English message).
import {
  commands,
  type ErrorView_Serialize as ErrorView,
  type Project_Serialize as Project,
} from "../../bindings";

// The shapes the backend sends (the bindings also describe what it would accept back).
export type { Project };
export type ErrorCode = ErrorView["code"];

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly field: string | null;

  constructor(view: ErrorView) {
    super(view.message);
    this.name = "ApiError";
    this.code = view.code;
    this.field = view.field ?? null;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: ErrorView };

function unwrap<T>(result: Result<T>): T {
  if (result.status === "error") throw new ApiError(result.error);
  return result.data;
}

/** The current profile's projects, by name. */
export async function listProjects(): Promise<Project[]> {
  return unwrap(await commands.listProjects());
}
