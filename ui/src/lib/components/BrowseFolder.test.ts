import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import BrowseFolder from "./BrowseFolder.svelte";
import { mockCommands } from "../../test/ipc";

/** Answers the dialog plugin's open with `answer`, recording what it was asked. */
function chooser(answer: unknown) {
  const asked: Record<string, unknown>[] = [];
  mockCommands((cmd, args) => {
    if (cmd !== "plugin:dialog|open") throw new Error(`unexpected ${cmd}`);
    asked.push((args as { options: Record<string, unknown> }).options);
    if (answer instanceof Error) throw answer.message;
    return answer;
  });
  return asked;
}

describe("Browse… beside a folder field", () => {
  it("asks the native chooser for one folder, starting at the typed one, and hands back the choice", async () => {
    const asked = chooser("/home/ada/Work");
    const picked: string[] = [];
    render(BrowseFolder, { title: "Folder for set-up projects", start: "/home/ada", onpick: (p: string) => picked.push(p) });
    await fireEvent.click(screen.getByRole("button", { name: "Browse…" }));
    await waitFor(() => expect(picked).toEqual(["/home/ada/Work"]));
    expect(asked).toEqual([expect.objectContaining({ directory: true, multiple: false, defaultPath: "/home/ada" })]);
  });

  it("finds where to start when it opens (first run: the default workspace folder)", async () => {
    const asked = chooser("/home/ada/Documents/CodeMySpec");
    const picked: string[] = [];
    render(BrowseFolder, { title: "Workspace folder", start: async () => "/home/ada/Documents", onpick: (p: string) => picked.push(p) });
    await fireEvent.click(screen.getByRole("button", { name: "Browse…" }));
    await waitFor(() => expect(picked).toEqual(["/home/ada/Documents/CodeMySpec"]));
    expect(asked[0]).toMatchObject({ directory: true, defaultPath: "/home/ada/Documents" });
  });

  it("changes nothing when the person cancels the chooser", async () => {
    const asked = chooser(null);
    const picked: string[] = [];
    render(BrowseFolder, { title: "Workspace folder", onpick: (p: string) => picked.push(p) });
    await fireEvent.click(screen.getByRole("button", { name: "Browse…" }));
    await waitFor(() => expect(asked).toHaveLength(1));
    expect(picked).toEqual([]);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says so when the chooser cannot open", async () => {
    chooser(new Error("dialog.open not allowed"));
    render(BrowseFolder, { title: "Workspace folder", onpick: () => {} });
    await fireEvent.click(screen.getByRole("button", { name: "Browse…" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The folder chooser could not open");
  });
});
