"""The stand-in's activity (issue 21): GitHub's events feed and a branch's head commit.

Events are made from what happens here, as GitHub makes them: a push served over smart HTTP
is a `PushEvent` per branch it moved (the 2025 payload: `repository_id`, `push_id`, `ref`,
`head`, `before`, no commit list), a `CreateEvent` per branch or tag it made and a
`DeleteEvent` per one it removed; a repository made is a `CreateEvent` of `ref_type`
`repository`. The feeds, newest first, in pages (`per_page` ≤ 100) linked by `Link`, at most
the newest `STATE["events_window"]` (GitHub keeps 300):
  GET /orgs/{org}/events                    the organization's public events
  GET /users/{user}/events/orgs/{org}       the organization's events the user may see
                                            (private ones too; only as that user)
  GET /users/{user}/events                  what the user did (private only as that user)
each with an ETag (If-None-Match → 304, free of the rate budget) and `X-Poll-Interval`
(`STATE["poll_interval"]`, 60 unless a test sets it with POST /_stand_in/poll_interval).
  GET /repos/{owner}/{repo}/commits/{ref}   the commit `ref` names, with an ETag: its author
                                            is the user whose `email` (or GitHub no-reply
                                            address) wrote it, else null, as on GitHub
Controls: POST poll_interval {"seconds"}, POST events_window {"size"}."""
import copy
import hashlib
import json
import os
import subprocess
import time
from urllib.parse import parse_qs


class Events:
    def __init__(self, ns):
        self.ns = ns
        ns.STATE.setdefault("events", [])  # oldest first
        ns.STATE.setdefault("events_window", 300)
        ns.STATE.setdefault("poll_interval", 60)
        ns.STATE.setdefault("next_event", 26000000000)
        self.template = ns.payload("list-org-events.200.json")[0]
        self.commit = ns.payload("get-commit.200.json")

    # ---- making events ---------------------------------------------------------------------

    def record(self, kind, login, repo, payload):
        st = self.ns.STATE
        with self.ns.LOCK:
            st["next_event"] += 1
            st["events"].append({
                "id": str(st["next_event"]), "type": kind, "actor": login, "repo_id": repo["id"],
                "payload": payload, "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            })
            del st["events"][:-st["events_window"]]

    def repository_made(self, login, repo):
        self.record("CreateEvent", login, repo, {
            "ref": None, "ref_type": "repository", "full_ref": None, "master_branch": "main",
            "description": None, "pusher_type": "user"})

    def refs(self, owner, name):
        out = subprocess.run(["git", "for-each-ref", "--format=%(refname) %(objectname)"],
                             cwd=self.ns.bare_path(owner, name), capture_output=True, text=True)
        return dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)

    def pushed(self, login, repo, before, after):
        """The events of one push: what moved between the refs `before` and `after`."""
        zero = "0" * 40
        for ref in sorted(set(before) | set(after)):
            old, new = before.get(ref), after.get(ref)
            if old == new:
                continue
            kind = "tag" if ref.startswith("refs/tags/") else "branch"
            short = ref.split("/", 2)[2]
            if old is None:
                self.record("CreateEvent", login, repo, {
                    "ref": short, "ref_type": kind, "full_ref": ref, "master_branch": "main",
                    "description": None, "pusher_type": "user"})
            if new is None:
                self.record("DeleteEvent", login, repo, {
                    "ref": short, "ref_type": kind, "full_ref": ref, "pusher_type": "user"})
                continue
            self.ns.STATE["next_event"] += 1
            self.record("PushEvent", login, repo, {
                "repository_id": repo["id"], "push_id": self.ns.STATE["next_event"] * 7,
                "ref": ref, "head": new, "before": old or zero})

    # ---- the API -----------------------------------------------------------------------------

    def api(self, handler, login, path, query):
        parts = [p for p in path.split("/") if p]
        if handler.command != "GET":
            return None
        st = self.ns.STATE
        if len(parts) == 3 and parts[0] == "orgs" and parts[2] == "events":
            if parts[1] not in st["orgs"]:
                return 404, self.ns.payload("error-404.json"), {}
            return self.feed(handler, path, query, lambda e, r: r["owner"] == parts[1] and not r["private"])
        if len(parts) == 5 and parts[0] == "users" and parts[2:4] == ["events", "orgs"]:
            if parts[1] != login or parts[4] not in st["orgs"]:
                return 404, self.ns.payload("error-404.json"), {}
            return self.feed(handler, path, query, lambda e, r: r["owner"] == parts[4])
        if len(parts) == 3 and parts[0] == "users" and parts[2] == "events":
            mine = parts[1] == login
            return self.feed(handler, path, query,
                             lambda e, r: e["actor"] == parts[1] and (mine or not r["private"]))
        if len(parts) == 5 and parts[0] == "repos" and parts[3] == "commits":
            return self.head_commit(handler, parts[1], parts[2], parts[4])
        return None

    def feed(self, handler, path, query, shown):
        st, base = self.ns.STATE, handler.base()
        q = parse_qs(query)
        per_page = max(1, min(100, int(q.get("per_page", ["30"])[0])))
        page = max(1, int(q.get("page", ["1"])[0]))
        with self.ns.LOCK:
            visible = []
            for e in reversed(st["events"]):
                repo = st["repos"].get(e["repo_id"])
                if repo is not None and shown(e, repo):
                    visible.append((e, repo))
        chunk = visible[(page - 1) * per_page: page * per_page]
        body = [self.event(base, e, repo) for e, repo in chunk]
        etag = 'W/"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
        headers = {"ETag": etag, "X-Poll-Interval": str(st["poll_interval"]),
                   "Cache-Control": "private, max-age=60, s-maxage=60", "Vary": "Accept, Authorization"}
        if page * per_page < len(visible):
            headers["Link"] = f'<{base}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        if handler.headers.get("If-None-Match") == etag:
            return 304, None, headers
        return 200, body, headers

    def event(self, base, e, repo):
        st = self.ns.STATE
        out = copy.deepcopy(self.template)
        full_name = f"{repo['owner']}/{repo['name']}"
        actor = st["users"].get(e["actor"], {"id": 1})
        out.update({"id": e["id"], "type": e["type"], "payload": e["payload"],
                    "public": not repo["private"], "created_at": e["created_at"]})
        out["actor"].update({"id": actor["id"], "login": e["actor"], "display_login": e["actor"],
                             "url": f"{base}/users/{e['actor']}"})
        out["repo"] = {"id": repo["id"], "name": full_name, "url": f"{base}/repos/{full_name}"}
        if repo["owner"] in st["orgs"]:
            out["org"].update({"id": st["orgs"][repo["owner"]], "login": repo["owner"],
                               "url": f"{base}/orgs/{repo['owner']}"})
        else:
            out.pop("org", None)
        return out

    def head_commit(self, handler, owner, name, ref):
        repo = self.ns.find_repo(owner, name)
        if repo is None or repo.get("hidden") or not os.path.isdir(self.ns.bare_path(repo["owner"], repo["name"])):
            return 404, self.ns.payload("error-404.json"), {}
        where = self.ns.bare_path(repo["owner"], repo["name"])
        fmt = "%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%P%x00%T%x00%B"
        out = subprocess.run(["git", "log", "-1", f"--format={fmt}", f"{ref}^{{commit}}", "--"],
                             cwd=where, capture_output=True, text=True)
        if out.returncode != 0 or not out.stdout:
            return 422, {"message": f"No commit found for SHA: {ref}",
                         "documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
                         "status": "422"}, {}
        sha, an, ae, ad, cn, ce, cd, parents, tree, message = out.stdout.split("\x00", 9)
        base, full_name = handler.base(), f"{repo['owner']}/{repo['name']}"
        body = json.loads(json.dumps(self.commit).replace("https://api.github.com", base)
                          .replace("https://github.com", base).replace("octocat/Hello-World", full_name)
                          .replace("6dcb09b5b57875f334f61aebed695e2e4193db5e", sha))
        body["commit"]["author"] = {"name": an, "email": ae, "date": utc(ad)}
        body["commit"]["committer"] = {"name": cn, "email": ce, "date": utc(cd)}
        body["commit"]["message"] = message.rstrip("\n")
        body["commit"]["tree"]["sha"] = tree
        body["parents"] = [{"sha": p, "url": f"{base}/repos/{full_name}/commits/{p}"} for p in parents.split()]
        body["author"] = self.user_payload(base, body["author"], ae)
        body["committer"] = self.user_payload(base, body["committer"], ce)
        return handler.conditional(body)

    def user_payload(self, base, template, email):
        for login, user in self.ns.STATE["users"].items():
            noreply = email.lower().endswith("@users.noreply.github.com") and \
                email.lower().split("@")[0].split("+")[-1] == login.lower()
            if noreply or (user.get("email") or "").lower() == email.lower():
                out = dict(template)
                out.update({"login": login, "id": user["id"], "url": f"{base}/users/{login}",
                            "html_url": f"{base}/{login}"})
                return out
        return None

    def control(self, what, spec):
        if what == "poll_interval":
            self.ns.STATE["poll_interval"] = int(spec["seconds"])
        elif what == "events_window":
            self.ns.STATE["events_window"] = int(spec["size"])
            del self.ns.STATE["events"][:-self.ns.STATE["events_window"]]
        return {"ok": True}


CONTROLS = ("poll_interval", "events_window")


def utc(iso):
    """git's ISO 8601 with an offset, as GitHub writes it: UTC with a Z."""
    from datetime import datetime, timezone
    return datetime.fromisoformat(iso.strip()).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
