#!/usr/bin/env python3
"""Wire-compatible fake of AWS SSO-OIDC and the AWS SSO portal for the ltops lab.

Both services are served on one port and routed by path, so point
AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO at the same URL.

SSO-OIDC (rest-json, botocore model sso-oidc/2019-06-10):
  POST /client/register          RegisterClient
  POST /device_authorization     StartDeviceAuthorization
  POST /token                    CreateToken (device_code and refresh_token grants)
SSO portal (rest-json, botocore model sso/2019-06-10, header x-amz-sso_bearer_token):
  GET  /federation/credentials   GetRoleCredentials  (?role_name=&account_id=)
  GET  /assignment/roles         ListAccountRoles    (?account_id=&max_result=&next_token=)
  GET  /assignment/accounts      ListAccounts        (?max_result=&next_token=)
  POST /logout                   Logout
"The user's browser":
  GET  /device[?user_code=X[&email=E][&deny=1]]   approve (or deny) a pending device code
Test control (not AWS):
  GET  /_fake/state              clients, device codes, tokens
  POST /_fake/expire-tokens      every issued access token expires now
                                 (?include_refresh=1 also revokes refresh tokens)
  POST /_fake/approve?user_code=&email=

Role credentials are real moto credentials: the fake calls moto STS AssumeRole on
the IAM role AWSReservedSSO_<role_name>_<hash> (path /aws-reserved/sso.amazonaws.com/...)
with the user's e-mail as RoleSessionName, so GetCallerIdentity returns
arn:aws:sts::<acct>:assumed-role/AWSReservedSSO_<PermSet>_<hash>/<email>.

Only stdlib + boto3/botocore. Prints one JSON line {"endpoint": "..."} on stdout
when ready; logs go to stderr.
"""

import argparse
import base64
import html
import json
import os
import re
import secrets
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
REFRESH_GRANT = "refresh_token"
SSO_ROLE_PATH_PREFIX = "/aws-reserved/sso.amazonaws.com/"
ORG_ACCESS_ROLE = "OrganizationAccountAccessRole"
USER_CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"

# SSO-OIDC error shapes -> (HTTP status, OAuth "error" value), from the botocore model.
OIDC_ERRORS = {
    "AccessDeniedException": (400, "access_denied"),
    "AuthorizationPendingException": (400, "authorization_pending"),
    "ExpiredTokenException": (400, "expired_token"),
    "InternalServerException": (500, "server_error"),
    "InvalidClientException": (401, "invalid_client"),
    "InvalidClientMetadataException": (400, "invalid_client_metadata"),
    "InvalidGrantException": (400, "invalid_grant"),
    "InvalidRequestException": (400, "invalid_request"),
    "InvalidScopeException": (400, "invalid_scope"),
    "SlowDownException": (400, "slow_down"),
    "UnauthorizedClientException": (400, "unauthorized_client"),
    "UnsupportedGrantTypeException": (400, "unsupported_grant_type"),
}
# SSO portal error shapes -> HTTP status. ForbiddenException is not in the model,
# but it is what the production portal answers for a missing assignment
# ("ForbiddenException ... GetRoleCredentials operation: No access").
PORTAL_ERRORS = {
    "InvalidRequestException": 400,
    "UnauthorizedException": 401,
    "ForbiddenException": 403,
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "InternalServerException": 500,
}


def log(msg):
    sys.stderr.write("[sso_fake %s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class ApiError(Exception):
    def __init__(self, status, shape, body):
        super().__init__(shape)
        self.status = status
        self.shape = shape
        self.body = body


def oidc_error(shape, description):
    status, code = OIDC_ERRORS[shape]
    return ApiError(status, shape, {"error": code, "error_description": description})


def portal_error(shape, message):
    return ApiError(PORTAL_ERRORS[shape], shape, {"message": message})


def iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


class Moto:
    """Talks to the moto server to turn an SSO assignment into role credentials.

    Clients are created once per credential set from one boto3 session (under a
    lock: sessions are not thread-safe, clients are)."""

    def __init__(self, endpoint, region):
        import boto3

        self.endpoint = endpoint
        self.region = region
        self._lock = threading.Lock()
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        self._clients = {}
        self._account_creds = {}
        self._default_account = None

    def _client(self, service, creds=None):
        key = (service, creds["AccessKeyId"] if creds else None)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                kwargs = {}
                if creds:
                    kwargs = dict(aws_access_key_id=creds["AccessKeyId"],
                                  aws_secret_access_key=creds["SecretAccessKey"],
                                  aws_session_token=creds.get("SessionToken"))
                client = self._session.client(service, endpoint_url=self.endpoint, **kwargs)
                self._clients[key] = client
            return client

    def default_account(self):
        if self._default_account is None:
            self._default_account = self._client("sts").get_caller_identity()["Account"]
        return self._default_account

    def _base_creds(self, account_id):
        """None for moto's default account, else credentials inside account_id obtained
        through OrganizationAccountAccessRole (moto maps them to that account)."""
        if account_id == self.default_account():
            return None
        with self._lock:
            cached = self._account_creds.get(account_id)
        if cached and cached["Expiration"].timestamp() - time.time() > 120:
            return cached
        arn = "arn:aws:iam::%s:role/%s" % (account_id, ORG_ACCESS_ROLE)
        creds = self._client("sts").assume_role(
            RoleArn=arn, RoleSessionName="sso-fake", DurationSeconds=3600
        )["Credentials"]
        with self._lock:
            self._account_creds[account_id] = creds
        return creds

    def role_credentials(self, account_id, role_name, session_name, duration):
        base = self._base_creds(account_id)
        iam = self._client("iam", base)
        pattern = re.compile(r"^AWSReservedSSO_%s_[0-9a-f]{16}$" % re.escape(role_name))
        found = []
        for page in iam.get_paginator("list_roles").paginate(PathPrefix=SSO_ROLE_PATH_PREFIX):
            found.extend(r for r in page["Roles"] if pattern.match(r["RoleName"]))
        if not found:
            return None
        if len(found) > 1:
            log("warning: %d roles match %s in %s, using %s"
                % (len(found), role_name, account_id, found[0]["RoleName"]))
        role = found[0]
        creds = self._client("sts", base).assume_role(
            RoleArn=role["Arn"], RoleSessionName=session_name, DurationSeconds=duration
        )["Credentials"]
        return {
            "accessKeyId": creds["AccessKeyId"],
            "secretAccessKey": creds["SecretAccessKey"],
            "sessionToken": creds["SessionToken"],
            "expiration": int(creds["Expiration"].timestamp() * 1000),
        }


class State:
    def __init__(self, args, directory, moto):
        self.args = args
        self.directory = directory
        self.moto = moto
        self.lock = threading.RLock()
        self.clients = {}
        self.devices = {}
        self.user_codes = {}
        self.tokens = {}
        self.refresh_tokens = {}
        self.users = {u["email"].lower(): u for u in directory["users"]}
        self.accounts = {a["account_id"]: a for a in directory.get("accounts", [])}
        self.base_url = None

    # ---- helpers -----------------------------------------------------------
    def user(self, email):
        return self.users.get((email or "").lower())

    def _new_user_code(self):
        while True:
            code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(8))
            code = code[:4] + "-" + code[4:]
            if code not in self.user_codes:
                return code

    def _check_client(self, body):
        client = self.clients.get(body.get("clientId"))
        if client is None or not secrets.compare_digest(
            client["client_secret"], str(body.get("clientSecret"))
        ):
            raise oidc_error("InvalidClientException", "Invalid client provided")
        if client["expires_at"] <= time.time():
            raise oidc_error("InvalidClientException", "Client registration has expired")
        return client

    def _issue(self, client_id, email, scopes):
        now = time.time()
        access = "aoa" + secrets.token_urlsafe(48)
        refresh = "aor" + secrets.token_urlsafe(48)
        self.tokens[access] = {
            "user": email,
            "client_id": client_id,
            "issued_at": now,
            "expires_at": now + self.args.token_ttl,
            "refresh_token": refresh,
            "revoked": False,
            "scopes": scopes,
        }
        self.refresh_tokens[refresh] = {
            "user": email,
            "client_id": client_id,
            "issued_at": now,
            "access_token": access,
            "revoked": False,
            "scopes": scopes,
        }
        return {
            "accessToken": access,
            "tokenType": "Bearer",
            "expiresIn": self.args.token_ttl,
            "refreshToken": refresh,
        }

    def _token_of(self, access_token):
        tok = self.tokens.get(access_token or "")
        if tok is None or tok["revoked"] or tok["expires_at"] <= time.time():
            raise portal_error("UnauthorizedException", "Session token not found or invalid")
        return tok

    # ---- SSO-OIDC ----------------------------------------------------------
    def register_client(self, body):
        if not body.get("clientName") or not body.get("clientType"):
            raise oidc_error("InvalidRequestException", "clientName and clientType are required")
        if body["clientType"] != "public":
            raise oidc_error("InvalidClientMetadataException", "clientType must be public")
        for gt in body.get("grantTypes") or []:
            if gt not in (DEVICE_GRANT, REFRESH_GRANT, "authorization_code"):
                raise oidc_error("UnsupportedGrantTypeException", "Unsupported grant type " + gt)
        now = int(time.time())
        client_id = secrets.token_urlsafe(16)
        client = {
            "client_id": client_id,
            "client_secret": "eyJraWQiOiJsYWIifQ." + secrets.token_urlsafe(96),
            "client_name": body["clientName"],
            "scopes": body.get("scopes") or [],
            "issued_at": now,
            "expires_at": now + self.args.registration_ttl,
        }
        with self.lock:
            self.clients[client_id] = client
        return {
            "clientId": client_id,
            "clientSecret": client["client_secret"],
            "clientIdIssuedAt": client["issued_at"],
            "clientSecretExpiresAt": client["expires_at"],
        }

    def start_device_authorization(self, body):
        for k in ("clientId", "clientSecret", "startUrl"):
            if not body.get(k):
                raise oidc_error("InvalidRequestException", "%s is required" % k)
        with self.lock:
            client = self._check_client(body)
            if body["startUrl"].rstrip("/") != self.directory["start_url"].rstrip("/"):
                raise oidc_error("InvalidRequestException",
                                 "Unknown start URL %s" % body["startUrl"])
            device_code = secrets.token_urlsafe(64)
            user_code = self._new_user_code()
            now = time.time()
            self.devices[device_code] = {
                "client_id": client["client_id"],
                "user_code": user_code,
                "start_url": body["startUrl"],
                "created_at": now,
                "expires_at": now + self.args.device_code_ttl,
                "polls": 0,
                "approved_user": None,
                "denied": False,
                "consumed": False,
            }
            self.user_codes[user_code] = device_code
        uri = self.base_url + "/device"
        return {
            "deviceCode": device_code,
            "userCode": user_code,
            "verificationUri": uri,
            "verificationUriComplete": uri + "?user_code=" + user_code,
            "expiresIn": self.args.device_code_ttl,
            "interval": self.args.interval,
        }

    def create_token(self, body):
        for k in ("clientId", "clientSecret", "grantType"):
            if not body.get(k):
                raise oidc_error("InvalidRequestException", "%s is required" % k)
        with self.lock:
            client = self._check_client(body)
            grant = body["grantType"]
            if grant == DEVICE_GRANT:
                return self._device_grant(client, body)
            if grant == REFRESH_GRANT:
                return self._refresh_grant(client, body)
            raise oidc_error("UnsupportedGrantTypeException", "Unsupported grant type " + grant)

    def _device_grant(self, client, body):
        dev = self.devices.get(body.get("deviceCode") or "")
        if dev is None or dev["client_id"] != client["client_id"]:
            raise oidc_error("InvalidGrantException", "Invalid device code provided")
        if dev["consumed"]:
            raise oidc_error("InvalidGrantException", "Device code has already been used")
        if dev["expires_at"] <= time.time():
            raise oidc_error("ExpiredTokenException", "Device code has expired")
        if dev["denied"]:
            raise oidc_error("AccessDeniedException", "The user denied the authorization request")
        if dev["approved_user"] is None:
            dev["polls"] += 1
            pending, slow = self.args.pending_polls, self.args.slow_down_polls
            if pending < 0 or dev["polls"] <= pending:
                raise oidc_error("AuthorizationPendingException", "Authorization is still pending")
            if dev["polls"] <= pending + slow:
                raise oidc_error("SlowDownException", "Client is polling too quickly")
            dev["approved_user"] = self.directory["default_user"]
            log("auto-approved %s as %s" % (dev["user_code"], dev["approved_user"]))
        dev["consumed"] = True
        return self._issue(client["client_id"], dev["approved_user"], client["scopes"])

    def _refresh_grant(self, client, body):
        rt = self.refresh_tokens.get(body.get("refreshToken") or "")
        if rt is None or rt["revoked"] or rt["client_id"] != client["client_id"]:
            raise oidc_error("InvalidGrantException", "Invalid refresh token provided")
        rt["revoked"] = True  # refresh tokens rotate: the answer carries a new one
        return self._issue(client["client_id"], rt["user"], rt["scopes"])

    def approve(self, user_code, email=None, deny=False):
        with self.lock:
            device_code = self.user_codes.get((user_code or "").upper())
            if device_code is None:
                return None, "unknown user code"
            dev = self.devices[device_code]
            if dev["expires_at"] <= time.time():
                return None, "user code has expired"
            if dev["consumed"]:
                return None, "user code has already been used"
            if deny:
                dev["denied"] = True
                return dev, None
            email = email or self.directory["default_user"]
            user = self.user(email)
            if user is None:
                return None, "unknown user " + email
            dev["approved_user"] = user["email"]
            return dev, None

    # ---- SSO portal --------------------------------------------------------
    def get_role_credentials(self, token, q):
        role_name, account_id = q.get("role_name"), q.get("account_id")
        with self.lock:
            tok = self._token_of(token)
            if not role_name or not account_id:
                raise portal_error("InvalidRequestException",
                                   "role_name and account_id are required")
            email = tok["user"]
            user = self.user(email)
            assigned = any(
                a["account_id"] == account_id and a["role_name"] == role_name
                for a in user.get("assignments", [])
            )
            remaining = int(tok["expires_at"] - time.time())
        if not assigned:
            raise portal_error("ForbiddenException", "No access")
        duration = max(900, min(self.args.role_session_duration, remaining))
        try:
            creds = self.moto.role_credentials(account_id, role_name, email, duration)
        except Exception as e:  # moto unreachable or refused
            log("moto error: %r" % e)
            raise portal_error("InternalServerException", "moto: %s" % e)
        if creds is None:
            raise portal_error(
                "ResourceNotFoundException",
                "No role AWSReservedSSO_%s_<hash> under %s in account %s (seed moto first)"
                % (role_name, SSO_ROLE_PATH_PREFIX, account_id),
            )
        return {"roleCredentials": creds}

    @staticmethod
    def _page(items, q):
        try:
            max_result = int(q.get("max_result") or 100)
            start = int(base64.urlsafe_b64decode(q["next_token"]).decode()) if q.get("next_token") else 0
        except (ValueError, TypeError):
            raise portal_error("InvalidRequestException", "Invalid next_token or max_result")
        if max_result < 1 or start < 0 or start > len(items):
            raise portal_error("InvalidRequestException", "Invalid next_token or max_result")
        size = min(max_result, 2)
        page = items[start:start + size]
        nxt = start + size
        token = base64.urlsafe_b64encode(str(nxt).encode()).decode() if nxt < len(items) else None
        return page, token

    def list_account_roles(self, token, q):
        with self.lock:
            tok = self._token_of(token)
            account_id = q.get("account_id")
            if not account_id:
                raise portal_error("InvalidRequestException", "account_id is required")
            user = self.user(tok["user"])
            roles = sorted({a["role_name"] for a in user.get("assignments", [])
                            if a["account_id"] == account_id})
        items = [{"roleName": r, "accountId": account_id} for r in roles]
        page, nxt = self._page(items, q)
        out = {"roleList": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def list_accounts(self, token, q):
        with self.lock:
            tok = self._token_of(token)
            user = self.user(tok["user"])
            ids = sorted({a["account_id"] for a in user.get("assignments", [])})
        items = []
        for acct in ids:
            info = self.accounts.get(acct, {})
            items.append({
                "accountId": acct,
                "accountName": info.get("account_name", acct),
                "emailAddress": info.get("email_address", "aws+%s@leadtributor.cloud" % acct),
            })
        page, nxt = self._page(items, q)
        out = {"accountList": page}
        if nxt:
            out["nextToken"] = nxt
        return out

    def logout(self, token):
        with self.lock:
            tok = self._token_of(token)
            tok["revoked"] = True
            rt = self.refresh_tokens.get(tok["refresh_token"])
            if rt:
                rt["revoked"] = True
        return None

    # ---- test control ------------------------------------------------------
    def snapshot(self):
        now = time.time()
        with self.lock:
            return {
                "now": iso(now),
                "start_url": self.directory["start_url"],
                "clients": [
                    {"client_id": c["client_id"], "client_name": c["client_name"],
                     "scopes": c["scopes"], "issued_at": iso(c["issued_at"]),
                     "expires_at": iso(c["expires_at"])}
                    for c in self.clients.values()
                ],
                "device_codes": [
                    {"user_code": d["user_code"], "client_id": d["client_id"],
                     "start_url": d["start_url"], "polls": d["polls"],
                     "approved_user": d["approved_user"], "denied": d["denied"],
                     "consumed": d["consumed"], "expires_at": iso(d["expires_at"]),
                     "expired": d["expires_at"] <= now}
                    for d in self.devices.values()
                ],
                "tokens": [
                    {"access_token": a, "user": t["user"], "client_id": t["client_id"],
                     "issued_at": iso(t["issued_at"]), "expires_at": iso(t["expires_at"]),
                     "expired": t["expires_at"] <= now, "revoked": t["revoked"],
                     "refresh_token": t["refresh_token"],
                     "refresh_revoked": self.refresh_tokens[t["refresh_token"]]["revoked"]}
                    for a, t in self.tokens.items()
                ],
            }

    def expire_tokens(self, include_refresh):
        now = time.time()
        n = 0
        with self.lock:
            for t in self.tokens.values():
                if t["expires_at"] > now:
                    t["expires_at"] = now
                    n += 1
            if include_refresh:
                for rt in self.refresh_tokens.values():
                    rt["revoked"] = True
        return {"expired": n, "refresh_revoked": bool(include_refresh)}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sso-fake/1"
    state = None  # set in main

    def log_message(self, fmt, *args):
        log("%s %s" % (self.address_string(), fmt % args))

    # ---- I/O ---------------------------------------------------------------
    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, body=b"", content_type="application/json", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amzn-RequestId", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status, obj, headers=None):
        self._send(status, json.dumps(obj).encode(), headers=headers)

    def _error(self, err):
        log("-> %d %s %s" % (err.status, err.shape, json.dumps(err.body)))
        self._json(err.status, err.body, headers={"x-amzn-ErrorType": err.shape})

    def _html(self, status, title, text):
        page = ("<!doctype html><html><head><title>%s</title></head><body><h1>%s</h1>"
                "<p>%s</p></body></html>") % (html.escape(title), html.escape(title), text)
        self._send(status, page.encode(), content_type="text/html; charset=utf-8")

    # ---- dispatch ----------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method):
        st = self.state
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        q = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self._read_body()
        token = self.headers.get("x-amz-sso_bearer_token")
        try:
            if (method, path) == ("POST", "/client/register"):
                return self._json(200, st.register_client(self._body(raw)))
            if (method, path) == ("POST", "/device_authorization"):
                return self._json(200, st.start_device_authorization(self._body(raw)))
            if (method, path) == ("POST", "/token"):
                if "aws_iam" in q:
                    raise oidc_error("InvalidRequestException",
                                     "CreateTokenWithIAM is not supported by the fake")
                return self._json(200, st.create_token(self._body(raw)))
            if (method, path) == ("GET", "/federation/credentials"):
                return self._json(200, st.get_role_credentials(token, q))
            if (method, path) == ("GET", "/assignment/roles"):
                return self._json(200, st.list_account_roles(token, q))
            if (method, path) == ("GET", "/assignment/accounts"):
                return self._json(200, st.list_accounts(token, q))
            if (method, path) == ("POST", "/logout"):
                st.logout(token)
                return self._send(200, b"")
            if (method, path) == ("GET", "/device"):
                return self._device_page(q)
            if (method, path) == ("GET", "/_fake/state"):
                return self._json(200, st.snapshot())
            if (method, path) == ("POST", "/_fake/expire-tokens"):
                inc = q.get("include_refresh", "").lower() in ("1", "true", "yes")
                return self._json(200, st.expire_tokens(inc))
            if (method, path) == ("POST", "/_fake/approve"):
                dev, err = st.approve(q.get("user_code"), q.get("email"),
                                      q.get("deny", "").lower() in ("1", "true", "yes"))
                if err:
                    return self._json(404 if "unknown user code" in err else 400, {"message": err})
                return self._json(200, {"user_code": dev["user_code"],
                                        "approved_user": dev["approved_user"],
                                        "denied": dev["denied"]})
            return self._json(404, {"message": "No route for %s %s" % (method, path)},
                              headers={"x-amzn-ErrorType": "UnknownOperationException"})
        except ApiError as e:
            return self._error(e)
        except Exception as e:  # never leave the client hanging
            log("internal error: %r" % e)
            return self._json(500, {"message": str(e)},
                              headers={"x-amzn-ErrorType": "InternalServerException"})

    @staticmethod
    def _body(raw):
        if not raw:
            return {}
        try:
            body = json.loads(raw)
        except ValueError:
            raise oidc_error("InvalidRequestException", "Request body is not valid JSON")
        if not isinstance(body, dict):
            raise oidc_error("InvalidRequestException", "Request body must be a JSON object")
        return body

    def _device_page(self, q):
        st = self.state
        code = q.get("user_code")
        if not code:
            users = "".join('<option value="%s">%s</option>' % ((html.escape(u["email"]),) * 2)
                            for u in st.directory["users"])
            form = ('<form method="get" action="/device">User code: '
                    '<input name="user_code"> User: <select name="email">%s</select> '
                    '<button>Allow</button></form>') % users
            return self._html(200, "Authorize request", form)
        deny = q.get("deny", "").lower() in ("1", "true", "yes")
        dev, err = st.approve(code, q.get("email"), deny)
        if err:
            return self._html(404 if "unknown user code" in err else 400,
                              "Authorization failed", html.escape(err))
        if deny:
            log("device %s denied" % dev["user_code"])
            return self._html(200, "Request denied", "You denied the request.")
        log("device %s approved as %s" % (dev["user_code"], dev["approved_user"]))
        return self._html(200, "Request approved",
                          "Signed in as %s. You can close this window."
                          % html.escape(dev["approved_user"]))


def sanitize_env():
    """The fake's own boto3 must reach moto with static test keys, whatever the
    surrounding test environment configures for the client under test."""
    for k in list(os.environ):
        if k.startswith("AWS_ENDPOINT_URL") or k in (
            "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        ):
            del os.environ[k]
    os.environ["AWS_CONFIG_FILE"] = os.devnull
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--moto-endpoint", required=True)
    p.add_argument("--directory", required=True)
    p.add_argument("--token-ttl", type=int, default=28800)
    p.add_argument("--registration-ttl", type=int, default=7776000)
    p.add_argument("--pending-polls", type=int, default=1,
                   help="AuthorizationPending answers before auto-approval; -1 = never auto-approve")
    p.add_argument("--slow-down-polls", type=int, default=0,
                   help="SlowDown answers after the pending ones, before auto-approval")
    p.add_argument("--device-code-ttl", type=int, default=600)
    p.add_argument("--interval", type=int, default=1)
    p.add_argument("--role-session-duration", type=int, default=3600,
                   help="permission set session duration (capped by token life, min 900)")
    args = p.parse_args(argv)

    sanitize_env()
    with open(args.directory) as f:
        directory = json.load(f)
    for u in directory["users"]:
        u.setdefault("assignments", [])
    if directory.get("default_user", "").lower() not in {u["email"].lower() for u in directory["users"]}:
        p.error("default_user must be one of the directory's users")

    state = State(args, directory, Moto(args.moto_endpoint, directory.get("region", "us-east-1")))
    Handler.state = state
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    state.base_url = "http://%s:%d" % (host, port)

    def stop(signum, _frame):
        log("signal %d, shutting down" % signum)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    sys.stdout.write(json.dumps({"endpoint": state.base_url}) + "\n")
    sys.stdout.flush()
    log("listening on %s (moto %s, start_url %s)"
        % (state.base_url, args.moto_endpoint, directory["start_url"]))
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
