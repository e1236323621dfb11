// The mocked backend every component test uses: the window's IPC answered by the test, with
// events mocked too (a test sends one with `emit` from @tauri-apps/api/event), and reset after
// each test. Importing this module registers that reset.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { InvokeArgs } from "@tauri-apps/api/core";
import { forgetSubscriptions } from "../lib/projects.svelte";
import { forgetProjectNotices } from "../lib/api";

// Unmount first: components unsubscribe from events, which needs the mocks still there. The
// live project list's listeners go with the mocks: the next test's window subscribes again.
afterEach(() => {
  cleanup();
  clearMocks();
  forgetSubscriptions();
  forgetProjectNotices();
});

export type Call = { cmd: string; args: Record<string, unknown> };
export type Handler = (args: Record<string, unknown>) => unknown;

/** Answers every command with `answer` (what it returns, or throws as the command's error). */
export function mockCommands(answer: (cmd: string, args?: InvokeArgs) => unknown): void {
  mockIPC(answer, { shouldMockEvents: true });
}

/** Answers with `handlers`, by command; any other command fails the test. Returns the calls. */
export function mockBackend(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockCommands((cmd, args) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const handler = handlers[cmd];
    if (!handler) throw new Error(`unexpected ${cmd}`);
    return handler(a);
  });
  return calls;
}

/**
 * The backend's store of one versioned entity (a story, a context): `update` based on an older
 * version than the stored one is the core's stale conflict, a newer save bumps the version,
 * `theirEdit` is someone else's save (another window, the CLI). `reads` answer the other
 * commands from what is stored.
 */
export function versionedBackend<T extends { version: number | null }, I extends object>(
  entity: string,
  initial: T,
  update: string,
  reads: Record<string, (current: T, args: Record<string, unknown>) => unknown>,
) {
  const state = { current: initial };
  const updates: { version: number; input: I }[] = [];
  const bumped = (changes: object) => ({ ...state.current, ...changes, version: state.current.version! + 1 }) as T;
  mockCommands((cmd, raw) => {
    const args = (raw ?? {}) as Record<string, unknown>;
    if (reads[cmd]) return reads[cmd](state.current, args);
    if (cmd !== update) throw new Error(`unexpected command ${cmd}`);
    const { version, input } = args as { version: number; input: I };
    updates.push({ version, input });
    if (version !== state.current.version)
      throw {
        code: "conflict",
        field: "version",
        message: `this ${entity} was changed since you read it`,
        detail: { kind: "stale_version", entity, expected: version, actual: state.current.version },
      };
    state.current = bumped(input);
    return state.current;
  });
  return {
    updates,
    get current() {
      return state.current;
    },
    theirEdit(changes: Partial<T>) {
      state.current = bumped(changes);
    },
  };
}
