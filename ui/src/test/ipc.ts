// The mocked backend every component test uses: the window's IPC answered by the test, with
// events mocked too (a test sends one with `emit` from @tauri-apps/api/event), and reset after
// each test. Importing this module registers that reset.
import { afterEach } from "vitest";
import { cleanup } from "@testing-library/svelte";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { InvokeArgs } from "@tauri-apps/api/core";

// Unmount first: components unsubscribe from events, which needs the mocks still there.
afterEach(() => {
  cleanup();
  clearMocks();
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
