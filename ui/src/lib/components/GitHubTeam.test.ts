import { describe, expect, it, vi } from "vitest";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import GitHubTeam from "./GitHubTeam.svelte";
import { coreError, member } from "../../test/project-fixtures";
import type { GitHubPerson, Team } from "../api";
import { mockCommands } from "../../test/ipc";

function person(overrides: Partial<GitHubPerson> = {}): GitHubPerson {
  return {
    login: "bob-gh",
    role: "member",
    github_role: "write",
    invited: false,
    account_id: null,
    email: null,
    ...overrides,
  };
}

/** acme/shop and acme/shop_docs; ada-gh (the owner's profile, admin) and bob-gh (write). */
function team(people: GitHubPerson[] = [], canManage = true): Team {
  return {
    members: [member()],
    github: {
      repository: "acme/shop",
      repositories: ["acme/shop", "acme/shop_docs"],
      people: [
        person({ login: "ada-gh", role: "owner", github_role: "admin", account_id: "acc-1", email: "ada@example.com" }),
        person({ login: "bob-gh", email: "bob@example.com", account_id: "acc-2" }),
        ...people,
      ],
      can_manage: canManage,
      personal: false,
    },
    absent: null,
  };
}

describe("GitHubTeam", () => {
  it("lists GitHub's people with their permission as our role, and invites by GitHub login with a role", async () => {
    let current = team();
    const calls: [string, unknown][] = [];
    mockCommands((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "project_team") return current;
      if (cmd === "invite_to_team") {
        current = team([person({ login: "cy-gh", role: "viewer", github_role: "read", invited: true })]);
        return {
          login: "cy-gh",
          role: "viewer",
          repositories: [
            { repository: "acme/shop", outcome: "invited" },
            { repository: "acme/shop_docs", outcome: "invited" },
          ],
          profiles: [],
        };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    const onChanged = vi.fn();
    render(GitHubTeam, { projectId: "p-1", onChanged });
    const rows = await screen.findAllByTestId("github-person");
    expect(rows.map((r) => r.dataset.login)).toEqual(["ada-gh", "bob-gh"]);
    // The owner's row has no controls; bob-gh's role is GitHub's write, a member here.
    expect(rows[0].textContent).toContain("owner (admin on GitHub)");
    expect((screen.getByLabelText("Role of bob-gh") as HTMLSelectElement).value).toBe("member");
    expect(rows[1].textContent).toContain("bob@example.com");

    await fireEvent.input(screen.getByLabelText("GitHub login"), { target: { value: "cy-gh" } });
    await fireEvent.change(screen.getByTestId("github-invite-role"), { target: { value: "viewer" } });
    await fireEvent.click(screen.getByTestId("github-invite"));
    await waitFor(() => expect(screen.getAllByTestId("github-person")).toHaveLength(3));
    expect(calls.find(([c]) => c === "invite_to_team")?.[1]).toEqual({ id: "p-1", login: "cy-gh", role: "viewer" });
    expect(screen.getByTestId("github-notice").textContent).toContain("cy-gh was invited as viewer to acme/shop and acme/shop_docs");
    expect(screen.getByTestId("github-invited")).toBeTruthy();
    expect(onChanged).toHaveBeenCalledTimes(1);
  });

  it("shows not being an admin, and no such user, at the login field; a role GitHub cannot give at the role field", async () => {
    let answer = coreError("forbidden", "only an admin of acme/shop on GitHub can invite, change or remove people there", "login");
    mockCommands((cmd) => {
      if (cmd === "project_team") return team();
      throw answer;
    });
    render(GitHubTeam, { projectId: "p-1" });
    await fireEvent.input(await screen.findByTestId("github-login"), { target: { value: "cy-gh" } });
    await fireEvent.click(screen.getByTestId("github-invite"));
    expect((await screen.findByTestId("github-login-error")).textContent).toContain("Only an admin of acme/shop");

    answer = coreError("not_found", "GitHub has no account named nobody-x", "login");
    await fireEvent.click(screen.getByTestId("github-invite"));
    await waitFor(() => expect(screen.getByTestId("github-login-error").textContent).toContain("no account named nobody-x"));

    answer = coreError("invalid_input", "acme/shop belongs to the personal account acme: choose member", "role");
    await fireEvent.click(screen.getByTestId("github-invite"));
    expect((await screen.findByTestId("github-invite-role-error")).textContent).toContain("choose member");
    expect(screen.queryByTestId("github-login-error")).toBeNull();
  });

  it("changes a person's role on GitHub; a refusal shows at that row's role, which goes back to GitHub's", async () => {
    let current = team();
    const calls: [string, unknown][] = [];
    let refuse = true;
    mockCommands((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === "project_team") return current;
      if (cmd === "set_team_role") {
        if (refuse) throw coreError("unavailable", "GitHub cannot be reached (connection refused)", "role");
        current = team();
        current.github!.people[1] = person({ login: "bob-gh", role: "viewer", github_role: "read", email: "bob@example.com" });
        return { login: "bob-gh", role: "viewer", repositories: [], profiles: ["bob@example.com"] };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(GitHubTeam, { projectId: "p-1" });
    const select = (await screen.findByLabelText("Role of bob-gh")) as HTMLSelectElement;
    await fireEvent.change(select, { target: { value: "viewer" } });
    expect((await screen.findByTestId("github-role-error")).textContent).toContain("cannot be reached");
    expect(select.value).toBe("member");

    refuse = false;
    await fireEvent.change(select, { target: { value: "viewer" } });
    await waitFor(() => expect(screen.getByTestId("github-notice").textContent).toContain("bob-gh is now viewer (read on GitHub)"));
    expect(calls.filter(([c]) => c === "set_team_role").at(-1)?.[1]).toEqual({ id: "p-1", login: "bob-gh", role: "viewer" });
    expect(screen.queryByTestId("github-role-error")).toBeNull();
  });

  it("removes someone from both repositories after asking once, naming them; a refusal stays at the row", async () => {
    let current = team();
    let refuse = true;
    mockCommands((cmd) => {
      if (cmd === "project_team") return current;
      if (cmd === "remove_from_team") {
        if (refuse) throw coreError("forbidden", "GitHub refused this on acme/shop: Must have admin rights to Repository.", "login");
        current = { ...team(), github: { ...team().github!, people: team().github!.people.slice(0, 1) } };
        return { login: "bob-gh", role: null, repositories: [], profiles: ["bob@example.com"] };
      }
      throw new Error(`unexpected command ${cmd}`);
    });
    render(GitHubTeam, { projectId: "p-1" });
    await fireEvent.click(await screen.findByTestId("github-remove"));
    expect(screen.getByTestId("confirm-delete").textContent).toContain(
      "Remove bob-gh (bob@example.com here) from acme/shop and acme/shop_docs on GitHub?",
    );
    await fireEvent.click(screen.getByRole("button", { name: "Yes, remove" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Must have admin rights to Repository.");
    expect(screen.getAllByTestId("github-person")).toHaveLength(2);

    refuse = false;
    await fireEvent.click(screen.getByRole("button", { name: "Yes, remove" }));
    await waitFor(() => expect(screen.getAllByTestId("github-person")).toHaveLength(1));
    expect(screen.getByTestId("github-notice").textContent).toContain("bob-gh was removed from acme/shop and acme/shop_docs");
  });

  it("without a GitHub repository or a sign-in, says why and offers nothing to change", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_team")
        return {
          members: [member()],
          github: null,
          absent: {
            reason: "not_signed_in",
            message:
              "sign in to GitHub (github.com) to see and change who can reach the repositories: `codemyspec github login`, or Settings → GitHub",
          },
        } satisfies Team;
      throw new Error(`unexpected command ${cmd}`);
    });
    render(GitHubTeam, { projectId: "p-1" });
    const why = await screen.findByTestId("github-absent");
    expect(why.dataset.reason).toBe("not_signed_in");
    expect(why.textContent).toContain("sign in to GitHub in Settings → GitHub");
    expect(why.textContent).not.toContain("codemyspec");
    expect(screen.queryByTestId("github-login")).toBeNull();
  });

  it("for a token that is not an admin there, lists the people without controls and says who can change them", async () => {
    mockCommands((cmd) => {
      if (cmd === "project_team") return team([], false);
      throw new Error(`unexpected command ${cmd}`);
    });
    render(GitHubTeam, { projectId: "p-1" });
    expect(await screen.findAllByTestId("github-person")).toHaveLength(2);
    expect(screen.queryByTestId("github-role")).toBeNull();
    expect(screen.queryByTestId("github-remove")).toBeNull();
    expect(screen.queryByTestId("github-login")).toBeNull();
    expect(screen.getByTestId("github-not-admin").textContent).toContain("Only an admin of acme/shop and acme/shop_docs");
  });
});
