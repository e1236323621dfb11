"""Repository collaborators and invitations for the GitHub stand-in (github_api_server.py).

Who may do what to a repository, as GitHub has it: each repository has people with a role
(read, triage, write, maintain, admin; a personal account's repository also its owner, as
admin), and pending invitations that the invitee accepts (here: a test, through a control).
The answers are GitHub's documented payloads (`collaborator`, `repository-invitation`,
`public-user`; tests/support/github-api/) with this repository's names filled in, and its
refusals: a token without push access cannot list collaborators (403 "Must have push
access to view repository collaborators."), one without admin rights cannot invite, change
or remove anyone or see the invitations (403 "Must have admin rights to Repository."), an
unknown login or a repository the token cannot see is a 404.

Endpoints: GET /users/{login}; GET /repos/{o}/{r}/collaborators (per_page, page, Link);
PUT /repos/{o}/{r}/collaborators/{login} {"permission": pull|triage|push|maintain|admin}
(201 and an invitation for someone new, 204 for a collaborator, whose role changes; on a
personal account's repository the permission is ignored: collaborators there have write);
DELETE /repos/{o}/{r}/collaborators/{login} (204; also cancels their pending invitations);
GET /repos/{o}/{r}/invitations; PATCH and DELETE /repos/{o}/{r}/invitations/{id}.

A repository is "strict" once a test has set someone's access with the `access` control:
from then on GET /repos/{o}/{r} answers 404 to people without access and reports each
caller's own permissions. Repositories no test set access for keep the stand-in's older
rule (every signed-in user may do everything), so the tests that predate collaborators
are unchanged.

Controls (POST /_stand_in/WHAT, JSON):
  access        {"owner", "name", "login", "permission": read|triage|write|maintain|admin|null}
  accept        {"owner", "name", "login"}     the invitee accepts their pending invitation
  collaborators {"owner", "name"}              what GitHub holds: {"access": {login: role},
                                               "invitations": [{"login", "permissions"}]}
"""
import json
import time
from urllib.parse import parse_qs

# GitHub's role names, weakest first, and what a PUT's `permission` grants.
ROLES = ["read", "triage", "write", "maintain", "admin"]
PUT_PERMISSION = {"pull": "read", "triage": "triage", "push": "write", "maintain": "maintain", "admin": "admin"}
CONTROLS = ("access", "accept", "collaborators")


def rank(role):
    return ROLES.index(role) if role in ROLES else -1


def permissions_hash(role):
    r = rank(role)
    return {"pull": r >= 0, "triage": r >= 1, "push": r >= 2, "maintain": r >= 3, "admin": r >= 4}


class Collaborators:
    def __init__(self, server):
        # The server's state and helpers (a namespace): STATE, LOCK, payload, fill,
        # find_repo, next_id, owner_type, owner_id, MINIMAL_REPO, FULL_REPO.
        self.s = server
        self.collaborator = server.payload("list-collaborators.200.json")[0]
        self.invitation = server.payload("list-invitations.200.json")[0]
        self.public_user = server.payload("get-user.public-profile.200.json")

    # ---- who may do what ------------------------------------------------------------------

    def personal_owner(self, repo):
        return repo["owner"] if self.s.owner_type(repo["owner"]) == "User" else None

    def role_of(self, repo, login):
        """The caller's role on the repository, or None when they have no access."""
        if login == self.personal_owner(repo):
            return "admin"
        role = repo.setdefault("access", {}).get(login)
        if role:
            return role
        # Repositories no test gave an access list keep the stand-in's older rule.
        return None if repo.get("strict") else "admin"

    def people(self, repo):
        """Everyone with access, the owner of a personal repository first."""
        out = []
        owner = self.personal_owner(repo)
        if owner:
            out.append((owner, "admin"))
        out.extend((login, role) for login, role in repo.setdefault("access", {}).items() if login != owner)
        return out

    # ---- payloads -------------------------------------------------------------------------

    def user(self, base, template, login):
        """A user payload (GitHub's example) for `login`."""
        known = self.s.STATE["users"].get(login)
        uid = known["id"] if known else self.s.owner_id(login)

        def walk(v):
            if isinstance(v, dict):
                return {k: walk(x) for k, x in v.items()}
            if isinstance(v, list):
                return [walk(x) for x in v]
            if isinstance(v, str):
                v = v.replace("https://api.github.com", base).replace("https://github.com", base)
                return v.replace("/users/octocat", f"/users/{login}").replace("/octocat", f"/{login}")
            return v

        out = walk(template)
        out.update({"login": login, "id": uid, "type": self.s.owner_type(login)})
        if "node_id" in out:
            out["node_id"] = f"U_{uid}"
        return out

    def collaborator_payload(self, base, login, role):
        out = self.user(base, self.collaborator, login)
        out.update({"permissions": permissions_hash(role), "role_name": role})
        return out

    def invitation_payload(self, base, repo, inv):
        full_name = f"{repo['owner']}/{repo['name']}"
        out = dict(self.invitation)
        out.update({
            "id": inv["id"],
            "node_id": f"RI_{inv['id']}",
            "repository": self.s.fill(self.s.MINIMAL_REPO, base, repo),
            "invitee": self.user(base, self.invitation["invitee"], inv["login"]),
            "inviter": self.user(base, self.invitation["inviter"], inv["inviter"]),
            "permissions": inv["permissions"],
            "created_at": inv["created"],
            "url": f"{base}/user/repository_invitations/{inv['id']}",
            "html_url": f"{base}/{full_name}/invitations",
        })
        return out

    def page(self, handler, path, query, items):
        """One page of `items` with GitHub's Link header."""
        q = parse_qs(query)
        per_page = max(1, min(100, int(q.get("per_page", ["30"])[0])))
        page = max(1, int(q.get("page", ["1"])[0]))
        pages = max(1, (len(items) + per_page - 1) // per_page)
        base = handler.base()
        link = lambda n, rel: f'<{base}{path}?per_page={per_page}&page={n}>; rel="{rel}"'
        rels = []
        if page > 1:
            rels.append(link(page - 1, "prev"))
        if page < pages:
            rels += [link(page + 1, "next"), link(pages, "last")]
        if page > 1:
            rels.append(link(1, "first"))
        headers = {"Link": ", ".join(rels)} if rels else {}
        return 200, items[(page - 1) * per_page: page * per_page], headers

    # ---- the API --------------------------------------------------------------------------

    def api(self, handler, login, path, query, body):
        """The answer to a collaborator request as (status, body, headers), or None when the
        request is not one of these."""
        parts = [p for p in path.split("/") if p]
        method = handler.command
        base = handler.base()
        payload = self.s.payload
        if method == "GET" and len(parts) == 2 and parts[0] == "users":
            who = parts[1]
            if who not in self.s.STATE["users"] and who not in self.s.STATE["orgs"]:
                return 404, payload("error-404.json"), {}
            return 200, self.user(base, self.public_user, who), {}
        if len(parts) < 3 or parts[0] != "repos":
            return None
        with self.s.LOCK:
            repo = self.s.find_repo(parts[1], parts[2])
            if len(parts) == 3:
                # Only strict repositories answer per caller; the others as before.
                if method != "GET" or not repo or not repo.get("strict") or repo.get("hidden"):
                    return None
                role = self.role_of(repo, login)
                if role is None:
                    return 404, payload("error-404.json"), {}
                out = self.s.fill(self.s.FULL_REPO, base, repo)
                perms = permissions_hash(role)
                out["permissions"] = {k: perms[k] for k in ("admin", "maintain", "push", "triage", "pull")}
                return 200, out, {}
            if parts[3] not in ("collaborators", "invitations"):
                return None
            if not repo or repo.get("hidden") or self.role_of(repo, login) is None:
                return 404, payload("error-404.json"), {}
            role = self.role_of(repo, login)
            rest = parts[4:]
            if parts[3] == "collaborators":
                return self.collaborators(handler, repo, login, role, method, rest, path, query, body)
            return self.invitations(handler, repo, role, method, rest, path, query, body)

    def spec(self, body):
        try:
            return json.loads(body or b"{}") or {}
        except ValueError:
            return None

    def collaborators(self, handler, repo, login, role, method, rest, path, query, body):
        base, payload = handler.base(), self.s.payload
        if method == "GET" and not rest:
            if rank(role) < rank("write"):
                return 403, payload("error-403-push-access.json"), {}
            people = [self.collaborator_payload(base, who, r) for who, r in self.people(repo)]
            return self.page(handler, path, query, people)
        if len(rest) != 1:
            return 404, payload("error-404.json"), {}
        who = rest[0]
        if method == "PUT":
            if role != "admin":
                return 403, payload("error-403-admin-rights.json"), {}
            if who not in self.s.STATE["users"]:
                return 404, payload("error-404.json"), {}
            spec = self.spec(body)
            if spec is None:
                return 400, {"message": "Problems parsing JSON", "status": "400"}, {}
            wanted = PUT_PERMISSION.get(spec.get("permission", "push"))
            if wanted is None:
                return 422, payload("error-422-validation-failed.json"), {}
            if who == self.personal_owner(repo):
                failed = payload("error-422-validation-failed.json")
                failed["errors"] = [{"resource": "Repository", "code": "custom",
                                     "message": "Repository owner cannot be a collaborator"}]
                return 422, failed, {}
            if self.personal_owner(repo):
                # "Only valid on organization-owned repositories": collaborators of a
                # personal account's repository have write access.
                wanted = "write"
            access = repo.setdefault("access", {})
            if who in access:
                access[who] = wanted
                return 204, None, {}
            invitations = repo.setdefault("invitations", [])
            inv = next((i for i in invitations if i["login"] == who), None)
            if inv is None:
                inv = {"id": self.s.next_id(), "login": who, "inviter": login,
                       "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
                invitations.append(inv)
            inv["permissions"] = wanted
            return 201, self.invitation_payload(base, repo, inv), {}
        if method == "DELETE":
            if role != "admin" and who != login:
                return 403, payload("error-403-admin-rights.json"), {}
            repo.setdefault("access", {}).pop(who, None)
            repo["invitations"] = [i for i in repo.get("invitations", []) if i["login"] != who]
            return 204, None, {}
        return 404, payload("error-404.json"), {}

    def invitations(self, handler, repo, role, method, rest, path, query, body):
        base, payload = handler.base(), self.s.payload
        if role != "admin":
            return 403, payload("error-403-admin-rights.json"), {}
        invitations = repo.setdefault("invitations", [])
        if method == "GET" and not rest:
            items = [self.invitation_payload(base, repo, i) for i in invitations]
            return self.page(handler, path, query, items)
        if len(rest) != 1 or not rest[0].isdigit():
            return 404, payload("error-404.json"), {}
        inv = next((i for i in invitations if i["id"] == int(rest[0])), None)
        if inv is None:
            return 404, payload("error-404.json"), {}
        if method == "PATCH":
            spec = self.spec(body)
            if spec is None:
                return 400, {"message": "Problems parsing JSON", "status": "400"}, {}
            wanted = spec.get("permissions")
            if wanted not in ROLES:
                return 422, payload("error-422-validation-failed.json"), {}
            inv["permissions"] = "write" if self.personal_owner(repo) else wanted
            return 200, self.invitation_payload(base, repo, inv), {}
        if method == "DELETE":
            invitations.remove(inv)
            return 204, None, {}
        return 404, payload("error-404.json"), {}

    # ---- the tests' controls -----------------------------------------------------------------

    def control(self, what, spec):
        repo = self.s.find_repo(spec["owner"], spec["name"])
        if repo is None:
            return {"error": f"no repository {spec['owner']}/{spec['name']}"}
        access = repo.setdefault("access", {})
        if what == "access":
            repo["strict"] = True
            if spec.get("permission"):
                access[spec["login"]] = spec["permission"]
            else:
                access.pop(spec["login"], None)
        elif what == "accept":
            invitations = repo.setdefault("invitations", [])
            inv = next((i for i in invitations if i["login"] == spec["login"]), None)
            if inv is None:
                return {"error": f"{spec['login']} has no invitation to {spec['owner']}/{spec['name']}"}
            invitations.remove(inv)
            access[inv["login"]] = inv["permissions"]
        return {
            "access": dict(self.people(repo)),
            "invitations": [{"login": i["login"], "permissions": i["permissions"]} for i in repo.get("invitations", [])],
        }
