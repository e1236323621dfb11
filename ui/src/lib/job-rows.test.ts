import { describe, expect, it } from "vitest";
import { jobRows } from "./job-rows";
import { job } from "../test/fixtures";

const sync = (id: number, project: string) =>
  job({ id, queue: "docs_sync", worker: "DocsSync", state: "completed", args: { project_id: project, actor_id: "a" } });

describe("jobRows", () => {
  it("folds each project's docs syncs into one row where its newest sync stands", () => {
    const jobs = [sync(9, "p-1"), job({ id: 8 }), sync(7, "p-2"), sync(6, "p-1"), sync(5, "p-2"), sync(4, "p-1")];
    const rows = jobRows(jobs);
    expect(rows.map((r) => (r.kind === "job" ? `job ${r.job.id}` : `docs ${r.projectId} ${r.jobs.map((j) => j.id).join(",")}`))).toEqual([
      "docs p-1 9,6,4",
      "job 8",
      "docs p-2 7,5",
    ]);
  });

  it("keeps a project's only docs sync, setups and jobs of no project as plain rows", () => {
    const heartbeat = job({ id: 3, queue: "github_sync", worker: "OrgSync", args: { actor_id: "a" } });
    const rows = jobRows([sync(5, "p-1"), job({ id: 4 }), heartbeat]);
    expect(rows.map((r) => r.kind)).toEqual(["job", "job", "job"]);
  });
});
