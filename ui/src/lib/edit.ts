// Helpers the editing forms share: what went wrong and where to show it.
import { ApiError, fieldOf, messageOf } from "./api";

/** A failed request as a form shows it: beside `field` when the form has that input. */
export type Problem = { code: string | null; field: string | null; message: string };

export function problemOf(error: unknown): Problem {
  return {
    code: error instanceof ApiError ? error.code : null,
    field: fieldOf(error),
    message: messageOf(error),
  };
}

/** The message to show under the input `field`, if the problem is about it. */
export function fieldError(problem: Problem | null, field: string): string | null {
  return problem && problem.field === field ? problem.message : null;
}

/** The message to show above the form: a problem none of `fields` can show. */
export function formError(problem: Problem | null, fields: readonly string[]): string | null {
  if (!problem) return null;
  return problem.field && fields.includes(problem.field) ? null : problem.message;
}

/** The edit was based on a version someone else has replaced since. */
export function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.code === "conflict" && error.field === "version";
}

/** Versions arrive as `number | null` from the bindings; the backend always sets them. */
export function versionOf(entity: { version: number | null }): number {
  return entity.version ?? 0;
}

/** "" for an optional text left empty, so the backend clears it. */
export function text(value: string): string {
  return value.trim() === "" ? "" : value;
}
