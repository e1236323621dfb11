// Helpers the editing forms share: what went wrong and where to show it.
import { tick } from "svelte";
import { ApiError, fieldsOf, messageOf, type FieldError } from "./api";

export type { FieldError };

/**
 * A failed request (or a form's own check) as a form shows it: each of `fields` under its
 * input when the form has that input, the rest above the form. `field` and `message` are the
 * error's first field and its whole message, as the core sends them.
 */
export type Problem = { code: string | null; field: string | null; message: string; fields: FieldError[] };

export function problemOf(error: unknown): Problem {
  const apiError = error instanceof ApiError ? error : null;
  return {
    code: apiError?.code ?? null,
    field: apiError?.field ?? null,
    message: messageOf(error),
    fields: fieldsOf(error),
  };
}

/** The problem of a form's own checks (one per field that failed), or null when all passed. */
export function invalid(fields: FieldError[]): Problem | null {
  if (fields.length === 0) return null;
  return {
    code: "invalid_input",
    field: fields[0].field,
    message: fields.map((f) => f.message).join("; "),
    fields,
  };
}

/** Every field's problem, whether the core listed them or named just one. */
function entries(problem: Problem): FieldError[] {
  if (problem.fields.length > 0) return problem.fields;
  return problem.field ? [{ field: problem.field, message: problem.message }] : [];
}

/** The problems together (a form's own checks and the core's, say); null when there are none. */
export function merged(...problems: (Problem | null)[]): Problem | null {
  const present = problems.filter((p): p is Problem => p !== null);
  if (present.length <= 1) return present[0] ?? null;
  const fields = present.flatMap(entries);
  const loose = present.filter((p) => entries(p).length === 0);
  return {
    code: present[0].code,
    field: fields[0]?.field ?? null,
    message: present.map((p) => p.message).join("; "),
    // A problem of no field is kept as one of no input, so that the form still shows it.
    fields: [...fields, ...loose.map((p) => ({ field: "", message: p.message }))],
  };
}

/**
 * The problem with the field `from` called `to`: a command's generic name for its value
 * (`set_setting`'s "value") becomes the input it came from.
 */
export function renamed(problem: Problem | null, from: string, to: string): Problem | null {
  if (!problem) return null;
  const rename = (field: string) => (field === from ? to : field);
  return {
    ...problem,
    field: problem.field === null ? null : rename(problem.field),
    fields: entries(problem).map((f) => ({ field: rename(f.field), message: f.message })),
  };
}

/** The problem without `field`'s part (its input changed, say), or null when nothing is left. */
export function without(problem: Problem | null, field: string): Problem | null {
  if (!problem) return null;
  const all = entries(problem);
  if (all.length === 0) return problem;
  const left = all.filter((f) => f.field !== field);
  if (left.length === all.length) return problem;
  if (left.length === 0) return null;
  return { ...problem, field: left[0].field || null, message: left.map((f) => f.message).join("; "), fields: left };
}

/** The message to show under the input `field`, if the problem is about it (all of them). */
export function fieldError(problem: Problem | null, field: string): string | null {
  if (!problem) return null;
  const messages = entries(problem)
    .filter((f) => f.field === field)
    .map((f) => f.message);
  return messages.length > 0 ? [...new Set(messages)].join("; ") : null;
}

/**
 * What a `Field` needs to show `field`'s message: the message, and the ids the pages give it
 * (`PREFIX-NAME-error`, test id `field-error-NAME`; NAME is the field unless the input says otherwise).
 */
export function errorAt(problem: Problem | null, field: string, prefix: string, name = field) {
  return { error: fieldError(problem, field), errorId: `${prefix}-${name}-error`, errorTestid: `field-error-${name}` };
}

/**
 * Once the page shows `problem`, puts the focus on the first of `fields` (in the form's order)
 * that it is about; `inputs` maps each field to its input's id.
 */
export async function focusFirstError(problem: Problem | null, fields: readonly string[], inputs: Record<string, string>) {
  await tick();
  const first = fields.find((f) => fieldError(problem, f));
  if (first) document.getElementById(inputs[first])?.focus();
}

/** The message to show above the form: what none of its inputs (`fields`) shows. */
export function formError(problem: Problem | null, fields: readonly string[]): string | null {
  if (!problem) return null;
  const all = entries(problem);
  if (all.length === 0) return problem.message;
  const unshown = all.filter((f) => !fields.includes(f.field));
  if (unshown.length === 0) return null;
  // Nothing shown at an input: the whole message, which names each field.
  if (unshown.length === all.length) return problem.message;
  return [...new Set(unshown.map((f) => f.message))].join("; ");
}

/** The edit was based on a version someone else has replaced since (the core says so in the error's detail). */
export function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.detail?.kind === "stale_version";
}

/** Versions arrive as `number | null` from the bindings; the backend always sets them. */
export function versionOf(entity: { version: number | null }): number {
  return entity.version ?? 0;
}

/** "" for an optional text left empty, so the backend clears it. */
export function text(value: string): string {
  return value.trim() === "" ? "" : value;
}
