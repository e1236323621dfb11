#!/usr/bin/env python3
"""A local stand-in for GitHub (REST API, OAuth device flow, git over smart HTTP) for tests.

It answers with GitHub's own example payloads (tests/support/github-api/, ids, names and URLs
filled in) and GitHub's headers: X-RateLimit-*, Link pagination, ETag / If-None-Match → 304
(a 304 costs no rate budget), Location, X-OAuth-Scopes. Failures are GitHub's: 401 bad
credentials, 403 (primary, secondary) and 429 rate limits with Retry-After, 404, 422 name
exists, 301 for a renamed repository's old name, and injected 5xx.

usage: github_api_server.py PAYLOADS_DIR GIT_ROOT
Listens on 127.0.0.1 only, prints its port as the first line. The API, the web host (device
flow) and git share the one address: http://127.0.0.1:PORT.

Tests drive it through /_stand_in/* (JSON bodies, no auth):
  POST users   {"login", "token", "scopes"?}       a user and a token for it
  POST orgs    {"login", "members"?}               an organization, with the users who belong
                                                   to it (GET /user/orgs lists it for them)
  POST revoke  {"token"}                          the token is refused (401) from then on
  POST repos   {"owner", "name", "private"?, "fork"?, "archived"?}
                                                   a repository (and its bare git repo); a fork
                                                   or an archived one carries GitHub's flags
  POST archive {"owner", "name", "archived"?}     archived (read-only) on GitHub, or not again
  POST bulk    {"owner", "prefix", "count"}       many repositories at once (API only, no git)
  POST rename  {"owner", "name", "new_name"}       the old name answers 301 from then on
  POST transfer {"owner", "name", "new_owner"}     to another owner, same id (old name → 301)
  POST delete  {"owner", "name"}
  POST hide    {"owner", "name", "hidden"}       out of sight (listings, GET) and back, same id
  POST readonly {"owner", "name"}                  the token may read it but not push
  POST fail    {"method"?, "path", "query"?, "status", "times"?, "headers"?, "body"?}
  POST device  {"answers": [...], "token"?}        what the token endpoint answers, in order:
               authorization_pending | slow_down | expired_token | access_denied | ok
  POST rate    {"token", "remaining"?, "limit"?}
  POST gate    {"method", "path", "open"?}        a request is done (a repository made)
                                                   but its answer waits until the gate opens;
                                                   the log says "held" meanwhile
  POST clone_base {"base"}                         repositories' clone_url on another host from
                                                   then on ("" or null: this one again)
  GET  log                                         every request: method, path, status
The events feeds and a branch's head commit (pushes served here become events) are in
github_events.py; POST users also takes an "email" (whose commits GitHub credits to them).
What the stage rules read of a commit (contents, compare, statuses, check runs) and its
controls `statuses` and `check_runs` are in github_checks.py.
Collaborators and invitations (who may reach a repository, and its controls `access`,
`accept`, `collaborators`) are in github_collaborators.py.
Stdlib only."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from git_http_server import read_body, serve_git  # noqa: E402  (the same git bridge)
import github_collaborators  # noqa: E402
import github_events  # noqa: E402
import github_checks  # noqa: E402

PAYLOADS, GIT_ROOT = sys.argv[1], sys.argv[2]
LOCK = threading.RLock()


def payload(name):
    with open(os.path.join(PAYLOADS, name)) as f:
        return json.load(f)


FULL_REPO = payload("create-org-repo.201.json")
MINIMAL_REPO = payload("list-org-repos.200.json")[0]
USER = payload("get-user.200.json")
ORG = payload("list-orgs-for-user.200.json")[0]

STATE = {
    "users": {},  # login -> {"id", "scopes"}
    "tokens": {},  # token -> login
    "orgs": {},  # login -> id
    "members": {},  # org login -> [user logins]
    "repos": {},  # id -> {"id", "owner", "name", "private", "created"}
    "moved": {},  # "owner/name" (lower) -> repo id, for renamed repositories
    "next_id": 1000,
    "failures": [],
    "device": {"answers": [], "token": None, "interval": 5},
    "rate": {},  # token -> {"limit", "remaining", "reset"}
    "gates": {},  # "METHOD path" -> threading.Event: answers wait until the gate opens
    "log": [],
    "clone_base": None,  # where clone_url points when not here
}


def next_id():
    STATE["next_id"] += 1
    return STATE["next_id"]


def owner_type(owner):
    return "Organization" if owner in STATE["orgs"] else "User"


def owner_id(owner):
    if owner in STATE["orgs"]:
        return STATE["orgs"][owner]
    return STATE["users"].get(owner, {}).get("id", 1)


def fill(template, base, repo):
    """A repository payload: GitHub's example with this repository's names and URLs."""
    full_name = f"{repo['owner']}/{repo['name']}"

    def walk(v):
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, str):
            v = v.replace("octocat/Hello-World", full_name)
            v = v.replace("https://api.github.com", base).replace("https://github.com", base)
            v = v.replace("git@github.com:", f"git@{base.split('//')[1]}:")
            v = v.replace("git:github.com/", f"git:{base.split('//')[1]}/")
            v = v.replace("/users/octocat", f"/users/{repo['owner']}").replace("/octocat", f"/{repo['owner']}")
            return v
        return v

    out = walk(template)
    out.update({
        "id": repo["id"],
        "node_id": base64.b64encode(f"R_{repo['id']}".encode()).decode(),
        "name": repo["name"],
        "full_name": full_name,
        "private": repo["private"],
        "visibility": "private" if repo["private"] else "public",
        "clone_url": f"{STATE['clone_base'] or base}/{full_name}.git",
        "html_url": f"{base}/{full_name}",
        "url": f"{base}/repos/{full_name}",
        "created_at": repo["created"],
        "default_branch": "main",
        "size": 0,
        # The stand-in's users may push to every repository unless a test made it read-only.
        "permissions": {"admin": not repo.get("read_only"), "push": not repo.get("read_only"), "pull": True},
        "fork": bool(repo.get("fork")),
        "archived": bool(repo.get("archived")),
    })
    if not repo.get("fork"):
        # GitHub names a fork's parent and source; a repository that is no fork has neither.
        out.pop("parent", None)
        out.pop("source", None)
    if isinstance(out.get("owner"), dict):
        out["owner"].update({"login": repo["owner"], "id": owner_id(repo["owner"]), "type": owner_type(repo["owner"])})
    return out


def find_repo(owner, name):
    for repo in STATE["repos"].values():
        if repo["owner"].lower() == owner.lower() and repo["name"].lower() == name.lower():
            return repo
    return None


def bare_path(owner, name):
    return os.path.join(GIT_ROOT, owner, f"{name}.git")


def make_repo(owner, name, private, git=True, fork=False, archived=False):
    repo = {"id": next_id(), "owner": owner, "name": name, "private": private,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "fork": fork, "archived": archived}
    STATE["repos"][repo["id"]] = repo
    if git:
        os.makedirs(os.path.dirname(bare_path(owner, name)), exist_ok=True)
        subprocess.run(["git", "init", "-q", "--bare", "-b", "main", bare_path(owner, name)], check=True)
    return repo


COLLABORATORS = github_collaborators.Collaborators(types.SimpleNamespace(
    STATE=STATE, LOCK=LOCK, payload=payload, fill=fill, find_repo=find_repo, next_id=next_id,
    owner_type=owner_type, owner_id=owner_id, MINIMAL_REPO=MINIMAL_REPO, FULL_REPO=FULL_REPO))
EVENTS = github_events.Events(types.SimpleNamespace(
    STATE=STATE, LOCK=LOCK, payload=payload, find_repo=find_repo, bare_path=bare_path))
CHECKS = github_checks.Checks(types.SimpleNamespace(
    STATE=STATE, LOCK=LOCK, payload=payload, find_repo=find_repo, bare_path=bare_path))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Separate small writes for headers and body: no Nagle delay (~40 ms per answer).
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        sys.stderr.write("github-stand-in: " + (fmt % args) + "\n")

    # ---- plumbing -------------------------------------------------------------------------

    def base(self):
        return f"http://{self.headers.get('Host', self.server.server_address[0])}"

    def send(self, status, body=None, headers=None, raw=None):
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        # Logged before the answer is written: a client that reads the log right after its
        # answer (on another connection, so another thread) must find its request there.
        with LOCK:
            STATE["log"].append({"method": self.command, "path": self.path, "status": status})
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if data or status not in (204, 304):
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def token(self):
        auth = self.headers.get("Authorization", "")
        if auth.lower().startswith(("token ", "bearer ")):
            return auth.split(" ", 1)[1].strip()
        if auth.startswith("Basic "):
            try:
                return base64.b64decode(auth[6:]).decode().partition(":")[2]
            except Exception:
                return None
        return None

    def rate_headers(self, token):
        r = STATE["rate"].setdefault(token, {"limit": 5000, "remaining": 5000, "reset": int(time.time()) + 3600})
        return {
            "x-ratelimit-limit": str(r["limit"]),
            "x-ratelimit-remaining": str(r["remaining"]),
            "x-ratelimit-used": str(r["limit"] - r["remaining"]),
            "x-ratelimit-reset": str(r["reset"]),
            "x-ratelimit-resource": "core",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "x-github-api-version-selected": self.headers.get("X-GitHub-Api-Version", "2022-11-28"),
        }

    def injected(self, path, query):
        with LOCK:
            for f in STATE["failures"]:
                if f["path"] == path and f.get("method", self.command) == self.command \
                        and f.get("query", "") in query and f.get("times", 1) > 0:
                    f["times"] = f.get("times", 1) - 1
                    return f
        return None

    # ---- dispatch --------------------------------------------------------------------------

    def handle_any(self):
        body = read_body(self)
        url = urlsplit(self.path)
        path, query = url.path, url.query
        if path.startswith("/_stand_in/"):
            return self.control(path[len("/_stand_in/"):], body)
        fault = self.injected(path, query)
        if fault:
            headers = {k: str(v) for k, v in fault.get("headers", {}).items()}
            raw = fault.get("body", "").encode() if isinstance(fault.get("body", ""), str) else json.dumps(fault["body"]).encode()
            return self.send(fault["status"], raw=raw, headers=headers)
        if ".git/" in path or path.endswith(".git"):
            return self.git(path, query, body)
        if path in ("/login/device/code", "/login/oauth/access_token"):
            return self.device(path, body)
        token = self.token()
        login = STATE["tokens"].get(token)
        if login is None:
            return self.send(401, payload("error-401.json"))
        rate = STATE["rate"].setdefault(token, {"limit": 5000, "remaining": 5000, "reset": int(time.time()) + 3600})
        if path == "/rate_limit":
            body = payload("rate-limit.200.json")
            core = {"limit": rate["limit"], "remaining": rate["remaining"], "used": rate["limit"] - rate["remaining"], "reset": rate["reset"]}
            body["resources"]["core"] = core
            body["rate"] = core
            return self.send(200, body, self.rate_headers(token))
        if rate["remaining"] <= 0:
            return self.send(403, payload("error-403-rate-limit.json"), self.rate_headers(token))
        status, answer, headers = self.api(login, token, path, query, body)
        with LOCK:
            gate = STATE["gates"].get(f"{self.command} {path}")
            if gate is not None:
                STATE["log"].append({"method": self.command, "path": self.path, "status": "held"})
        if gate is not None:
            gate.wait(timeout=120)
        if status != 304:
            rate["remaining"] -= 1
        all_headers = self.rate_headers(token)
        all_headers.update(headers)
        if status == 304:
            return self.send(304, None, all_headers)
        return self.send(status, answer, all_headers)

    def api(self, login, token, path, query, body):
        parts = [p for p in path.split("/") if p]
        base = self.base()
        answer = COLLABORATORS.api(self, login, path, query, body)
        if answer is not None:
            return answer
        answer = EVENTS.api(self, login, path, query)
        if answer is not None:
            return answer
        answer = CHECKS.api(self, login, path, query)
        if answer is not None:
            return answer
        if path == "/user" and self.command == "GET":
            user = dict(USER)
            user.update({"login": login, "id": STATE["users"][login]["id"], "html_url": f"{base}/{login}", "url": f"{base}/users/{login}"})
            return 200, user, {"X-OAuth-Scopes": STATE["users"][login].get("scopes", "repo, read:org")}
        if path == "/user/orgs" and self.command == "GET":
            return self.orgs_of(login, path, query)
        if self.command == "GET" and (path == "/user/repos" or (len(parts) == 3 and parts[0] == "orgs" and parts[2] == "repos")):
            if parts[0] == "orgs" and parts[1] not in STATE["orgs"]:
                return 404, payload("error-404.json"), {}
            owners = {parts[1]} if parts[0] == "orgs" else {login}
            return self.listing(owners, path, query)
        if self.command == "POST" and (path == "/user/repos" or (len(parts) == 3 and parts[0] == "orgs" and parts[2] == "repos")):
            owner = parts[1] if parts[0] == "orgs" else login
            if parts[0] == "orgs" and owner not in STATE["orgs"]:
                return 404, payload("error-404.json"), {}
            try:
                spec = json.loads(body or b"{}")
            except ValueError:
                return 400, {"message": "Problems parsing JSON", "status": "400"}, {}
            name = str(spec.get("name", "")).strip()
            if not name:
                return 422, payload("error-422-validation-failed.json"), {}
            with LOCK:
                if find_repo(owner, name):
                    return 422, payload("error-422-name-exists.json"), {}
                repo = make_repo(owner, name, bool(spec.get("private", False)))
            EVENTS.repository_made(login, repo)
            return 201, fill(FULL_REPO, base, repo), {"Location": f"{base}/repos/{owner}/{name}"}
        if self.command == "GET" and len(parts) == 3 and parts[0] == "repos":
            repo = find_repo(parts[1], parts[2])
            if repo and not repo.get("hidden"):
                return 200, fill(FULL_REPO, base, repo), {}
            moved = STATE["moved"].get(f"{parts[1]}/{parts[2]}".lower())
            if moved in STATE["repos"]:
                body = payload("moved-permanently.301.json")
                body["url"] = f"{base}/repositories/{moved}"
                return 301, body, {"Location": f"{base}/repositories/{moved}"}
            return 404, payload("error-404.json"), {}
        if self.command == "GET" and len(parts) == 2 and parts[0] == "repositories":
            # GitHub's get-by-id (see recorded/rename-repository.json): the same body as
            # GET /repos/{owner}/{name}, with an ETag; a hidden repository is out of sight.
            repo = STATE["repos"].get(int(parts[1])) if parts[1].isdigit() else None
            if repo and not repo.get("hidden"):
                return self.conditional(fill(FULL_REPO, base, repo))
            return 404, payload("error-404.json"), {}
        return 404, payload("error-404.json"), {}

    def conditional(self, body):
        """A 200 with GitHub's caching headers, or a 304 when If-None-Match still matches."""
        etag = '"' + hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60", "Vary": "Accept, Authorization"}
        if self.headers.get("If-None-Match") == etag:
            return 304, None, headers
        return 200, body, headers

    def listing(self, owners, path, query):
        q = parse_qs(query)
        per_page = max(1, min(100, int(q.get("per_page", ["30"])[0])))
        page = max(1, int(q.get("page", ["1"])[0]))
        repos = sorted((r for r in STATE["repos"].values() if r["owner"] in owners and not r.get("hidden")), key=lambda r: r["id"])
        pages = max(1, (len(repos) + per_page - 1) // per_page)
        chunk = repos[(page - 1) * per_page: page * per_page]
        body = [fill(MINIMAL_REPO, self.base(), r) for r in chunk]
        data = json.dumps(body).encode()
        etag = 'W/"' + hashlib.sha256(data).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "private, max-age=60, s-maxage=60", "Vary": "Accept, Authorization"}
        link = lambda n, rel: f'<{self.base()}{path}?per_page={per_page}&page={n}>; rel="{rel}"'
        rels = []
        if page > 1:
            rels.append(link(page - 1, "prev"))
        if page < pages:
            rels.append(link(page + 1, "next"))
            rels.append(link(pages, "last"))
        if page > 1:
            rels.append(link(1, "first"))
        if rels:
            headers["Link"] = ", ".join(rels)
        if self.headers.get("If-None-Match") == etag:
            return 304, None, headers
        return 200, body, headers

    def orgs_of(self, login, path, query):
        """GET /user/orgs: the organizations the user belongs to, as organization-simple, in
        pages of per_page (default 30) linked by Link: rel="next"."""
        q = parse_qs(query)
        per_page = max(1, min(100, int(q.get("per_page", ["30"])[0])))
        page = max(1, int(q.get("page", ["1"])[0]))
        mine = sorted((o for o, members in STATE["members"].items() if login in members), key=lambda o: STATE["orgs"][o])
        base = self.base()
        body = []
        for org in mine[(page - 1) * per_page: page * per_page]:
            item = json.loads(json.dumps(ORG).replace("https://api.github.com", base).replace("/orgs/github", f"/orgs/{org}"))
            item.update({"login": org, "id": STATE["orgs"][org], "description": None})
            body.append(item)
        headers = {}
        if page * per_page < len(mine):
            headers["Link"] = f'<{base}{path}?per_page={per_page}&page={page + 1}>; rel="next"'
        return 200, body, headers

    # ---- the device flow --------------------------------------------------------------------

    def device(self, path, body):
        form = parse_qs(body.decode(errors="replace"))
        if not form.get("client_id"):
            return self.send(200, {"error": "incorrect_client_credentials", "error_description": "The client_id is not valid."})
        d = STATE["device"]
        if path == "/login/device/code":
            answer = payload("device-code.200.json")
            answer["verification_uri"] = f"{self.base()}/login/device"
            answer["interval"] = d["interval"]
            return self.send(200, answer)
        with LOCK:
            step = d["answers"].pop(0) if d["answers"] else "authorization_pending"
        if step == "ok":
            answer = payload("device-access-token.200.json")
            if d["token"]:
                answer["access_token"] = d["token"]
            return self.send(200, answer)
        answer = {"error": step, "error_description": step.replace("_", " "), "error_uri": "https://docs.github.com"}
        if step == "slow_down":
            d["interval"] += 5
            answer["interval"] = d["interval"]
            answer["error_description"] = "Too many requests have been made in the same timeframe."
        return self.send(200, answer)

    # ---- git over smart HTTP -----------------------------------------------------------------

    def git(self, path, query, body):
        login = STATE["tokens"].get(self.token())
        if login is None:
            return self.send(401, raw=b"", headers={"WWW-Authenticate": 'Basic realm="GitHub"'})
        # A push becomes the events GitHub makes of it (github_events.py).
        owner, _, rest = path.lstrip("/").partition("/")
        repo = find_repo(owner, rest.split(".git/")[0]) if path.endswith("/git-receive-pack") else None
        before = EVENTS.refs(repo["owner"], repo["name"]) if repo else None
        serve_git(self, GIT_ROOT, path, query, body)
        if repo:
            EVENTS.pushed(login, repo, before, EVENTS.refs(repo["owner"], repo["name"]))

    # ---- the tests' controls -------------------------------------------------------------------

    def control(self, what, body):
        spec = json.loads(body or b"{}") if self.command == "POST" else {}
        with LOCK:
            if what == "users":
                STATE["users"][spec["login"]] = {"id": next_id(), "scopes": spec.get("scopes", "repo, read:org"),
                                                 "email": spec.get("email")}
                STATE["tokens"][spec["token"]] = spec["login"]
            elif what == "orgs":
                STATE["orgs"][spec["login"]] = next_id()
                STATE["members"][spec["login"]] = list(spec.get("members", []))
            elif what == "revoke":
                STATE["tokens"].pop(spec["token"], None)
            elif what == "repos":
                repo = make_repo(spec["owner"], spec["name"], spec.get("private", True),
                                 fork=bool(spec.get("fork")), archived=bool(spec.get("archived")))
                EVENTS.repository_made(spec.get("actor", spec["owner"]), repo)
                return self.send(201, {"id": repo["id"]})
            elif what == "archive":
                find_repo(spec["owner"], spec["name"])["archived"] = bool(spec.get("archived", True))
            elif what == "bulk":
                for i in range(int(spec["count"])):
                    make_repo(spec["owner"], f"{spec['prefix']}{i:05d}", True, git=False)
            elif what == "rename":
                repo = find_repo(spec["owner"], spec["name"])
                STATE["moved"][f"{spec['owner']}/{spec['name']}".lower()] = repo["id"]
                shutil.move(bare_path(repo["owner"], repo["name"]), bare_path(repo["owner"], spec["new_name"]))
                repo["name"] = spec["new_name"]
            elif what == "transfer":
                repo = find_repo(spec["owner"], spec["name"])
                STATE["moved"][f"{spec['owner']}/{spec['name']}".lower()] = repo["id"]
                os.makedirs(os.path.join(GIT_ROOT, spec["new_owner"]), exist_ok=True)
                shutil.move(bare_path(repo["owner"], repo["name"]), bare_path(spec["new_owner"], repo["name"]))
                repo["owner"] = spec["new_owner"]
            elif what == "readonly":
                find_repo(spec["owner"], spec["name"])["read_only"] = True
            elif what == "hide":
                repo = find_repo(spec["owner"], spec["name"])
                repo["hidden"] = bool(spec.get("hidden", True))
            elif what == "delete":
                repo = find_repo(spec["owner"], spec["name"])
                del STATE["repos"][repo["id"]]
                shutil.rmtree(bare_path(repo["owner"], repo["name"]), ignore_errors=True)
            elif what == "gate":
                key = f"{spec['method']} {spec['path']}"
                if spec.get("open"):
                    gate = STATE["gates"].pop(key, None)
                    if gate is not None:
                        gate.set()
                else:
                    STATE["gates"].setdefault(key, threading.Event())
            elif what == "fail":
                STATE["failures"].append(spec)
            elif what == "device":
                STATE["device"]["answers"] = list(spec.get("answers", []))
                STATE["device"]["token"] = spec.get("token")
                STATE["device"]["interval"] = spec.get("interval", 5)
            elif what == "rate":
                r = STATE["rate"].setdefault(spec["token"], {"limit": 5000, "remaining": 5000, "reset": int(time.time()) + 3600})
                r.update({k: spec[k] for k in ("limit", "remaining", "reset") if k in spec})
            elif what == "clone_base":
                STATE["clone_base"] = spec.get("base") or None
            elif what == "log":
                return self.send(200, STATE["log"])
            elif what in github_checks.CONTROLS:
                return self.send(200, CHECKS.control(what, spec))
            elif what in github_events.CONTROLS:
                return self.send(200, EVENTS.control(what, spec))
            elif what in github_collaborators.CONTROLS:
                answer = COLLABORATORS.control(what, spec)
                return self.send(404 if "error" in answer else 200, answer)
            else:
                return self.send(404, {"message": f"unknown control {what}"})
        return self.send(200, {"ok": True})

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
