import { describe, expect, it } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import MemberList from "./MemberList.svelte";
import { coreError, member } from "../../test/project-fixtures";
import type { Member } from "../api";
import { mockCommands } from "../../test/ipc";

describe("MemberList", () => {
  it("adds a member by email with a role, and removes one after asking once, naming them", async () => {
    let members: Member[] = [member()];
    const calls: [string, unknown][] = [];
    mockCommands((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "list_members") return members;
      if (cmd === "add_member") {
        const { email, role } = args as { email: string; role: Member["role"] };
        const m = member({ id: "m-2", user_id: "acc-2", email, name: "Bob", role });
        members = [...members, m];
        return m;
      }
      if (cmd === "remove_member") {
        members = members.filter((m) => m.user_id !== (args as { accountId: string }).accountId);
        return null;
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(MemberList, { projectId: "p-1" });
    expect(await screen.findAllByTestId("member-row")).toHaveLength(1);
    // The owner cannot be removed.
    expect(screen.queryByTestId("member-remove")).toBeNull();

    await fireEvent.input(screen.getByLabelText("Email of their account"), { target: { value: "bob@example.com" } });
    await fireEvent.change(screen.getByLabelText("Role"), { target: { value: "admin" } });
    await fireEvent.click(screen.getByTestId("member-add"));
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(2));
    expect(calls.find(([c]) => c === "add_member")?.[1]).toEqual({ id: "p-1", email: "bob@example.com", role: "admin" });

    await fireEvent.click(screen.getByTestId("member-remove"));
    const question = screen.getByTestId("confirm-delete");
    expect(question.textContent).toContain("Remove Bob (bob@example.com) from this project?");
    expect(calls.some(([c]) => c === "remove_member")).toBe(false);
    await fireEvent.click(screen.getByRole("button", { name: "Yes, remove" }));
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(1));
    expect(calls.find(([c]) => c === "remove_member")?.[1]).toEqual({ id: "p-1", accountId: "acc-2" });
  });

  it("changes a member's role here; a refusal shows at that row, whose role goes back", async () => {
    const bob = member({ id: "m-2", user_id: "acc-2", email: "bob@example.com", name: "Bob", role: "viewer" });
    let refuse = true;
    const calls: [string, unknown][] = [];
    mockCommands((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "list_members") return [member(), bob];
      if (cmd === "set_member_role") {
        if (refuse) throw coreError("forbidden", "your role in this project is member; to manage it you need to be admin or above");
        return { ...bob, role: (args as { role: Member["role"] }).role };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(MemberList, { projectId: "p-1" });
    // The owner's role is not for changing.
    expect(await screen.findAllByTestId("member-row-role")).toHaveLength(1);
    const select = screen.getByLabelText("Role of Bob (bob@example.com)") as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: "admin" } });
    expect((await screen.findByTestId("member-row-role-error")).textContent).toContain("admin or above");
    expect(select.value).toBe("viewer");

    refuse = false;
    await fireEvent.change(select, { target: { value: "member" } });
    await waitFor(() => expect(screen.getByRole("status").textContent).toContain("Bob (bob@example.com) is now member."));
    expect(calls.filter(([c]) => c === "set_member_role").at(-1)?.[1]).toEqual({ id: "p-1", accountId: "acc-2", role: "member" });
    expect(screen.queryByTestId("member-row-role-error")).toBeNull();
  });

  it("shows an unknown email's error at the email field", async () => {
    mockCommands((cmd) => {
      if (cmd === "list_members") return [member()];
      throw coreError("not_found", "account not found");
    });
    render(MemberList, { projectId: "p-1" });
    await fireEvent.input(screen.getByTestId("member-email"), { target: { value: "nobody@example.com" } });
    await fireEvent.click(screen.getByTestId("member-add"));
    expect((await screen.findByTestId("member-email-error")).textContent).toContain("account not found");
  });

  it("shows a role's error at the role field", async () => {
    mockCommands((cmd) => {
      if (cmd === "list_members") return [];
      throw coreError("invalid_input", "a project has one owner, its creator; add an admin instead", "role");
    });
    render(MemberList, { projectId: "p-1" });
    await fireEvent.input(screen.getByTestId("member-email"), { target: { value: "bob@example.com" } });
    await fireEvent.click(screen.getByTestId("member-add"));
    expect((await screen.findByTestId("member-role-error")).textContent).toContain("one owner");
  });
});
