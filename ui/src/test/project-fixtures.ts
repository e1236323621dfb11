// Values shaped like what the backend sends, for the project page's tests.
import type { Check, Member } from "../lib/api";

export function member(overrides: Partial<Member> = {}): Member {
  return {
    id: "m-1",
    project_id: "p-1",
    user_id: "acc-1",
    email: "ada@example.com",
    name: "Ada",
    role: "owner",
    inserted_at: "2026-01-01T00:00:00.000000Z",
    ...overrides,
  };
}

export function check(name: string, ok: boolean, detail: string): Check {
  return { name, ok, detail };
}

/** What "Check requirements" answers when GitHub is not signed in. */
export function missingSignIn(): Check[] {
  return [
    check("program mix", true, "/usr/bin/mix"),
    check("token for github.com", false, "missing: run `codemyspec github login`"),
    check("GitHub sign-in (github.com)", false, "not signed in: run `codemyspec github login`, or Settings → GitHub"),
    check("workspace folder", true, "/home/ada/CodeMySpec"),
  ];
}

/** The core's error view, as a mocked command throws it. */
export function coreError(code: string, message: string, field?: string) {
  return field ? { code, field, message, fields: [{ field, message }] } : { code, message };
}
