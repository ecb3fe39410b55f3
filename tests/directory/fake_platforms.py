"""A local HTTP server (a thread with http.server on a loopback port) that
answers as WeCom's and DingTalk's documented APIs do, for the sign-in, work
message and contacts tests. It keeps what it was sent (``messages``) and can
be told to expire the current token or answer with a rate limit."""
import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class PlatformState:
    def __init__(self):
        self.lock = threading.Lock()
        self.wecom_secret = "wecom-secret"
        self.dingtalk_key = "ding-app-key"
        self.dingtalk_secret = "ding-secret"
        self.corp_id = "ww-corp"
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.codes: dict[str, str] = {}  # WeCom code → userid ("" = not a member)
        self.auth_codes: dict[str, str] = {}  # DingTalk authCode → unionId
        self.user_tokens: dict[str, str] = {}  # DingTalk user access token → unionId
        self.wecom_users: dict[str, dict] = {}
        self.ding_users: dict[str, dict] = {}  # unionId → {"userid", "mobile", "nick"}
        self.departments: list[dict] = []
        self.messages: list[tuple[str, dict]] = []
        self.expire_tokens_once = False
        self.rate_limit_next = 0

    def new_token(self) -> str:
        token = secrets.token_hex(8)
        self.tokens.add(token)
        self.token_requests += 1
        return token

    def wecom_code(self, userid: str) -> str:
        code = secrets.token_hex(6)
        self.codes[code] = userid
        return code

    def ding_code(self, union_id: str) -> str:
        code = secrets.token_hex(6)
        self.auth_codes[code] = union_id
        return code


class Handler(BaseHTTPRequestHandler):
    state: PlatformState

    def log_message(self, *args):
        pass

    def _send(self, payload, status=200):
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _token_ok(self, query) -> dict | None:
        s = self.state
        token = query.get("access_token", [""])[0]
        if s.expire_tokens_once and token in s.tokens:
            s.expire_tokens_once = False
            s.tokens.discard(token)
            return {"errcode": 42001, "errmsg": "access_token expired"}
        if token not in s.tokens:
            return {"errcode": 40014, "errmsg": "invalid access_token"}
        return None

    def do_GET(self):
        self._dispatch("GET", None)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch("POST", json.loads(self.rfile.read(length) or b"{}"))

    def _dispatch(self, method, body):
        s = self.state
        url = urllib.parse.urlsplit(self.path)
        q = urllib.parse.parse_qs(url.query)
        path = url.path
        with s.lock:
            # --- WeCom ---
            if path == "/cgi-bin/gettoken":
                if q.get("corpid", [""])[0] != s.corp_id or q.get("corpsecret", [""])[0] != s.wecom_secret:
                    return self._send({"errcode": 40001, "errmsg": "invalid credential"})
                return self._send({"errcode": 0, "errmsg": "ok", "access_token": s.new_token(), "expires_in": 7200})
            if path.startswith("/cgi-bin/"):
                bad = self._token_ok(q)
                if bad:
                    return self._send(bad)
                if path == "/cgi-bin/auth/getuserinfo":
                    code = q.get("code", [""])[0]
                    if code not in s.codes:
                        return self._send({"errcode": 40029, "errmsg": "invalid code"})
                    userid = s.codes.pop(code)
                    if not userid:
                        return self._send({"errcode": 0, "errmsg": "ok", "openid": "o-visitor"})
                    return self._send({"errcode": 0, "errmsg": "ok", "userid": userid})
                if path == "/cgi-bin/user/get":
                    user = s.wecom_users.get(q.get("userid", [""])[0])
                    if user is None:
                        return self._send({"errcode": 60111, "errmsg": "userid not found"})
                    return self._send({"errcode": 0, "errmsg": "ok", **user})
                if path == "/cgi-bin/message/send":
                    if s.rate_limit_next:
                        s.rate_limit_next -= 1
                        return self._send({"errcode": 45009, "errmsg": "api freq out of limit"})
                    s.messages.append(("wecom", body))
                    if body["touser"] not in s.wecom_users:
                        return self._send({"errcode": 0, "errmsg": "ok", "invaliduser": body["touser"]})
                    return self._send({"errcode": 0, "errmsg": "ok", "msgid": secrets.token_hex(4)})
                if path == "/cgi-bin/department/list":
                    return self._send({"errcode": 0, "errmsg": "ok", "department": s.departments})
                if path == "/cgi-bin/user/list":
                    return self._send({"errcode": 0, "errmsg": "ok", "userlist": [
                        {"userid": k, **v} for k, v in s.wecom_users.items()]})
            # --- DingTalk, new API ---
            if path == "/v1.0/oauth2/userAccessToken":
                if body.get("clientId") != s.dingtalk_key or body.get("clientSecret") != s.dingtalk_secret:
                    return self._send({"code": "invalidClientId", "message": "clientId 无效"}, 400)
                union = s.auth_codes.pop(body.get("code", ""), None)
                if union is None:
                    return self._send({"code": "Forbidden.AccessDenied.AccessTokenPermissionDenied",
                                       "message": "不合法的临时授权码"}, 400)
                token = secrets.token_hex(8)
                s.user_tokens[token] = union
                return self._send({"accessToken": token, "refreshToken": "r", "expireIn": 7200, "corpId": s.corp_id})
            if path == "/v1.0/contact/users/me":
                union = s.user_tokens.get(self.headers.get("x-acs-dingtalk-access-token", ""))
                if union is None:
                    return self._send({"code": "InvalidAuthentication", "message": "不合法的access_token"}, 401)
                user = s.ding_users.get(union, {})
                return self._send({"nick": user.get("nick", ""), "unionId": union, "openId": "open-" + union,
                                   "mobile": user.get("mobile", ""), "stateCode": "86"})
            # --- DingTalk, oapi ---
            if path == "/gettoken":
                if q.get("appkey", [""])[0] != s.dingtalk_key or q.get("appsecret", [""])[0] != s.dingtalk_secret:
                    return self._send({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
                return self._send({"errcode": 0, "errmsg": "ok", "access_token": s.new_token(), "expires_in": 7200})
            if path.startswith("/topapi/"):
                bad = self._token_ok(q)
                if bad:
                    return self._send(bad)
                if path == "/topapi/user/getbyunionid":
                    user = s.ding_users.get(body.get("unionid", ""))
                    if user is None or not user.get("userid"):
                        return self._send({"errcode": 60121, "errmsg": "找不到该用户"})
                    return self._send({"errcode": 0, "errmsg": "ok", "result": {"contact_type": 0,
                                                                               "userid": user["userid"]}})
                if path == "/topapi/message/corpconversation/asyncsend_v2":
                    if s.rate_limit_next:
                        s.rate_limit_next -= 1
                        return self._send({"errcode": 90018, "errmsg": "调用频率超过限制"})
                    s.messages.append(("dingtalk", body))
                    return self._send({"errcode": 0, "errmsg": "ok", "task_id": 1, "request_id": "x"})
                if path == "/topapi/v2/department/listsub":
                    parent = str(body.get("dept_id"))
                    return self._send({"errcode": 0, "errmsg": "ok", "result": [
                        {"dept_id": int(d["id"]), "name": d["name"], "parent_id": int(d["parentid"])}
                        for d in s.departments if str(d["parentid"]) == parent]})
                if path == "/topapi/v2/user/list":
                    dept = body.get("dept_id")
                    found = [{"userid": u["userid"], "name": u["nick"], "mobile": u.get("mobile", ""),
                              "email": u.get("email", ""), "dept_id_list": u.get("department", []), "active": True}
                             for u in s.ding_users.values() if dept in u.get("department", [])]
                    return self._send({"errcode": 0, "errmsg": "ok", "result": {"has_more": False, "list": found}})
        return self._send({"errcode": 404, "errmsg": "no such API in the fake"}, 404)


class FakePlatforms:
    def __init__(self):
        self.state = PlatformState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
