// Components, dependencies and agent sessions shaped like what the backend sends (the mocked
// backend is ./ipc).
import type { Component, Dependency, Session } from "../lib/api";

/** A component named `name`; its id is `k-<name>`. */
export function component(name: string, overrides: Partial<Component> = {}): Component {
  return {
    id: `k-${name}`,
    project_id: "p1",
    context_id: null,
    name,
    type: "schema",
    file_path: `lib/app/${name.toLowerCase()}.ex`,
    description: null,
    docs_complete: false,
    code_complete: false,
    tests_complete: false,
    dirty: false,
    inserted_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

/** `from` depends on `to` (both by name). */
export function dependency(from: string, to: string): Dependency {
  return {
    id: `d-${from}-${to}`,
    component_id: `k-${from}`,
    depends_on_id: `k-${to}`,
    inserted_at: "2026-01-01T00:00:00Z",
  };
}

export function session(overrides: Partial<Session> = {}): Session {
  return {
    id: "s1",
    project_id: "p1",
    session_type: "design",
    target_type: "component",
    target_id: "k-Order",
    status: "pending",
    inserted_at: "2026-01-02T09:00:00Z",
    updated_at: "2026-01-02T10:30:00Z",
    ...overrides,
  };
}

/** An error as a command rejects with it (`{code, field?, message}`). */
export function errorView(code: string, message: string, field?: string) {
  return field ? { code, field, message } : { code, message };
}
