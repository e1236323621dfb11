"""The stand-in's answers about a commit that the stage rules read (issue 21), from the real
bare repositories it serves and the checks tests post:
  GET /repos/{owner}/{repo}/contents/{path}?ref=R   a file (GitHub's content-file) or a folder
                                                    (a list of entries) at R; 404 when absent
  GET /repos/{owner}/{repo}/compare/{base}...{head} the comparison's `status` (identical,
                                                    ahead, behind, diverged), ahead_by/behind_by
  GET /repos/{owner}/{repo}/commits/{sha}/status    the combined status: the newest status per
                                                    context, and the overall `state`
  GET /repos/{owner}/{repo}/commits/{sha}/check-runs the check runs posted for that sha
Controls (POST /_stand_in/…): statuses {"owner", "repo", "sha", "context", "state"},
check_runs {"owner", "repo", "sha", "name", "status", "conclusion"} (the newest per name)."""
import copy
import os
import subprocess
import time


class Checks:
    def __init__(self, ns):
        self.ns = ns
        ns.STATE.setdefault("statuses", {})  # (owner/repo, sha) -> [status], oldest first
        ns.STATE.setdefault("check_runs", {})  # (owner/repo, sha) -> {name: run}
        self.combined = ns.payload("get-combined-status.200.json")
        self.runs = ns.payload("list-check-runs.200.json")
        self.file = ns.payload("get-content-file.200.json")
        self.compare_body = ns.payload("compare-commits.200.json")

    def api(self, handler, login, path, query):
        if handler.command != "GET":
            return None
        parts = [p for p in path.split("/") if p]
        if len(parts) < 4 or parts[0] != "repos":
            return None
        repo = self.ns.find_repo(parts[1], parts[2])
        if parts[3] not in ("contents", "compare", "commits"):
            return None
        if parts[3] == "commits" and (len(parts) != 6 or parts[5] not in ("status", "check-runs")):
            return None
        if repo is None or repo.get("hidden"):
            return 404, self.ns.payload("error-404.json"), {}
        where = self.ns.bare_path(repo["owner"], repo["name"])
        full_name = f"{repo['owner']}/{repo['name']}"
        if parts[3] == "contents":
            ref = dict(kv.split("=", 1) for kv in query.split("&") if "=" in kv).get("ref", "HEAD")
            return self.contents(handler, where, full_name, "/".join(parts[4:]), ref)
        if parts[3] == "compare" and len(parts) == 5 and "..." in parts[4]:
            base, head = parts[4].split("...", 1)
            return self.compare(where, base, head)
        key = f"{full_name}@{parts[4]}"
        if parts[5] == "status":
            return self.status(handler, full_name, parts[4], key)
        return self.check_runs(handler, parts[4], key)

    def git(self, where, *args):
        return subprocess.run(["git", *args], cwd=where, capture_output=True, text=True)

    def contents(self, handler, where, full_name, path, ref):
        kind = self.git(where, "cat-file", "-t", f"{ref}:{path}").stdout.strip()
        if kind not in ("blob", "tree"):
            return 404, self.ns.payload("error-404.json"), {}
        base = handler.base()
        if kind == "blob":
            body = copy.deepcopy(self.file)
            sha = self.git(where, "rev-parse", f"{ref}:{path}").stdout.strip()
            size = self.git(where, "cat-file", "-s", sha).stdout.strip()
            body.update({"name": os.path.basename(path), "path": path, "sha": sha, "size": int(size or 0),
                         "url": f"{base}/repos/{full_name}/contents/{path}?ref={ref}"})
            return 200, body, {}
        entries = []
        for line in self.git(where, "ls-tree", f"{ref}:{path}").stdout.splitlines():
            meta, name = line.split("\t", 1)
            _, kind, sha = meta.split()
            entries.append({"type": "file" if kind == "blob" else "dir", "name": name,
                            "path": f"{path}/{name}", "sha": sha,
                            "url": f"{base}/repos/{full_name}/contents/{path}/{name}?ref={ref}"})
        return 200, entries, {}

    def compare(self, where, base, head):
        shas = [self.git(where, "rev-parse", "--verify", "-q", f"{r}^{{commit}}").stdout.strip() for r in (base, head)]
        if not all(shas):
            return 404, self.ns.payload("error-404.json"), {}
        ahead, behind = (int(self.git(where, "rev-list", "--count", r).stdout.strip() or 0)
                         for r in (f"{shas[0]}..{shas[1]}", f"{shas[1]}..{shas[0]}"))
        status = ("identical" if shas[0] == shas[1] else "ahead" if behind == 0
                  else "behind" if ahead == 0 else "diverged")
        body = copy.deepcopy(self.compare_body)
        body.update({"status": status, "ahead_by": ahead, "behind_by": behind, "total_commits": ahead})
        return 200, body, {}

    def status(self, handler, full_name, sha, key):
        with self.ns.LOCK:
            posted = list(self.ns.STATE["statuses"].get(key, []))
        newest = {}
        for s in posted:
            newest[s["context"]] = s
        template = self.combined["statuses"][0]
        statuses = []
        for i, s in enumerate(newest.values()):
            one = copy.deepcopy(template)
            one.update({"id": i + 1, "state": s["state"], "context": s["context"],
                        "created_at": s["at"], "updated_at": s["at"]})
            statuses.append(one)
        states = {s["state"] for s in statuses}
        overall = ("failure" if states & {"failure", "error"} else "pending" if "pending" in states or not states
                   else "success")
        body = copy.deepcopy(self.combined)
        body.update({"state": overall, "statuses": statuses, "sha": sha, "total_count": len(statuses),
                     "url": f"{handler.base()}/repos/{full_name}/commits/{sha}/status"})
        return handler.conditional(body)

    def check_runs(self, handler, sha, key):
        with self.ns.LOCK:
            posted = dict(self.ns.STATE["check_runs"].get(key, {}))
        template = self.runs["check_runs"][0]
        runs = []
        for i, r in enumerate(posted.values()):
            one = copy.deepcopy(template)
            one.update({"id": i + 1, "head_sha": sha, "name": r["name"], "status": r["status"],
                        "conclusion": r.get("conclusion"), "started_at": r["at"],
                        "completed_at": r["at"] if r["status"] == "completed" else None})
            runs.append(one)
        return handler.conditional({"total_count": len(runs), "check_runs": runs})

    def control(self, what, spec):
        key = f"{spec['owner']}/{spec['repo']}@{spec['sha']}"
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        with self.ns.LOCK:
            if what == "statuses":
                self.ns.STATE["statuses"].setdefault(key, []).append(
                    {"context": spec["context"], "state": spec["state"], "at": at})
            else:
                self.ns.STATE["check_runs"].setdefault(key, {})[spec["name"]] = {
                    "name": spec["name"], "status": spec["status"], "conclusion": spec.get("conclusion"), "at": at}
        return {"ok": True}


CONTROLS = ("statuses", "check_runs")
