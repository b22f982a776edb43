"""Local servers on loopback that speak the providers' documented SendSms protocols and check the signature.

The verification here is written from the providers' documentation on its own (not by calling the client's
signing code), so a client that signs wrongly is refused exactly as the real service would refuse it.

Each server runs its own event loop on a thread (usable from sync and async tests and by server processes), keeps
every accepted message, and answers per request from `script` (then "ok"): "ok", "throttle" (per-number frequency
control), "api_throttle" (the API's rate limit), "fail" (a permanent refusal), "error500".
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from tests.kit.mail import free_port


@dataclass
class Accepted:
    phone: str
    text: str
    template: str
    sign_name: str
    outbox_id: str


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes


@dataclass
class ProviderServer:
    access_key_id: str = "test-access-key-id"
    access_key_secret: str = "test-access-key-secret"
    script: list[str] = field(default_factory=list)
    accepted: list[Accepted] = field(default_factory=list)
    answers: list[str] = field(
        default_factory=list
    )  # what each request got: ok / throttle / … / bad_signature
    port: int = field(default_factory=free_port)
    delay: float = 0.0  # seconds before each answer (a slow provider)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- lifecycle -----------------------------------------------------------------------------------------

    def start(self) -> ProviderServer:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("provider server did not start")
        return self

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def serve() -> None:
            self._server = await asyncio.start_server(self._connection, "127.0.0.1", self.port, backlog=512)
            self._ready.set()
            async with self._server:
                await self._server.serve_forever()

        try:
            loop.run_until_complete(serve())
        except asyncio.CancelledError:
            pass
        finally:
            loop.close()

    def stop(self) -> None:
        if self._loop is not None and self._server is not None and not self._loop.is_closed():
            server, loop = self._server, self._loop

            def close() -> None:
                server.close()
                for task in asyncio.all_tasks(loop):
                    task.cancel()

            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(close)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> ProviderServer:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- HTTP/1.1, just enough: keep-alive, Content-Length bodies ------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers: dict[str, str] = {}
                for line in lines[1:]:
                    if line:
                        name, _, value = line.partition(":")
                        headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                if self.delay:
                    await asyncio.sleep(self.delay)
                status, payload = self.handle(Request(method, target, headers, body))
                data = json.dumps(payload, ensure_ascii=False).encode()
                writer.write(
                    f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                    f"Content-Type: application/json;charset=utf-8\r\nContent-Length: {len(data)}\r\n"
                    "Connection: keep-alive\r\n\r\n".encode()
                    + data
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def next_mode(self) -> str:
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def record(self, answer: str, accepted: Accepted | None = None) -> None:
        with self._lock:
            self.answers.append(answer)
            if accepted is not None:
                self.accepted.append(accepted)

    def handle(self, request: Request) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError


def rfc3986(value: str) -> str:
    return quote(value, safe="-_.~")


class AliyunServer(ProviderServer):
    """dysmsapi SendSms, V3 signature (ACS3-HMAC-SHA256), parameters in the query string."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.nonces: set[str] = set()

    def handle(self, request: Request) -> tuple[int, dict[str, Any]]:
        request_id = f"req-{len(self.answers) + 1}"
        refusal = self.check_signature(request)
        if refusal is not None:
            self.record("bad_signature")
            return 400, {"RequestId": request_id, "Code": refusal[0], "Message": refusal[1]}
        params = dict(parse_qsl(urlsplit(request.target).query, keep_blank_values=True))
        if (
            request.headers.get("x-acs-action") != "SendSms"
            or request.headers.get("x-acs-version") != "2017-05-25"
        ):
            self.record("fail")
            return 400, {
                "RequestId": request_id,
                "Code": "InvalidAction.NotFound",
                "Message": "no such action",
            }
        missing = [p for p in ("PhoneNumbers", "SignName", "TemplateCode") if not params.get(p)]
        if missing:
            self.record("fail")
            return 400, {"RequestId": request_id, "Code": "MissingParameter", "Message": missing[0]}
        mode = self.next_mode()
        if mode == "throttle":
            self.record(mode)
            return 200, {
                "RequestId": request_id,
                "Code": "isv.BUSINESS_LIMIT_CONTROL",
                "Message": "触发分钟级流控Permits:1",
            }
        if mode == "api_throttle":
            self.record(mode)
            return 400, {
                "RequestId": request_id,
                "Code": "Throttling.User",
                "Message": "Request was denied due to user flow control.",
            }
        if mode == "fail":
            self.record(mode)
            return 200, {
                "RequestId": request_id,
                "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                "Message": "非法手机号",
            }
        if mode == "error500":
            self.record(mode)
            return 503, {
                "RequestId": request_id,
                "Code": "ServiceUnavailable",
                "Message": "The request has failed due to a temporary failure of the server.",
            }
        template_param = json.loads(params.get("TemplateParam") or "{}")
        text = next(iter(template_param.values()), "")
        self.record(
            "ok",
            Accepted(
                params["PhoneNumbers"],
                text,
                params["TemplateCode"],
                params["SignName"],
                params.get("OutId", ""),
            ),
        )
        return 200, {
            "RequestId": request_id,
            "Code": "OK",
            "Message": "OK",
            "BizId": f"{900000 + len(self.accepted)}^0",
        }

    def check_signature(self, request: Request) -> tuple[str, str] | None:
        authorization = request.headers.get("authorization", "")
        algorithm, _, fields = authorization.partition(" ")
        if algorithm != "ACS3-HMAC-SHA256":
            return "IncompleteSignature", "The request signature does not conform to Aliyun standards."
        parts = dict(part.strip().split("=", 1) for part in fields.split(",") if "=" in part)
        if parts.get("Credential") != self.access_key_id:
            return "InvalidAccessKeyId.NotFound", "Specified access key is not found."
        body_hash = hashlib.sha256(request.body).hexdigest()
        if request.headers.get("x-acs-content-sha256") != body_hash:
            return "ContentSHA256NotMatched", "The content SHA256 does not match."
        try:
            stamp = datetime.strptime(request.headers.get("x-acs-date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=UTC
            )
        except ValueError:
            return "InvalidTimeStamp.Format", "Specified time stamp does not conform to the ISO8601 standard."
        if abs((datetime.now(UTC) - stamp).total_seconds()) > 15 * 60:
            return "InvalidTimeStamp.Expired", "Specified time stamp or date value is expired."
        signed = parts.get("SignedHeaders", "").split(";")
        required = {
            "host",
            "x-acs-action",
            "x-acs-content-sha256",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-version",
        }
        if not required <= set(signed) or signed != sorted(signed):
            return "IncompleteSignature", "SignedHeaders must list host and every x-acs- header, sorted."
        split = urlsplit(request.target)
        query = sorted(parse_qsl(split.query, keep_blank_values=True))
        canonical_query = "&".join(f"{rfc3986(k)}={rfc3986(v)}" for k, v in query)
        canonical_headers = "".join(f"{name}:{request.headers.get(name, '').strip()}\n" for name in signed)
        canonical_request = "\n".join(
            [
                request.method,
                split.path or "/",
                canonical_query,
                canonical_headers,
                ";".join(signed),
                body_hash,
            ]
        )
        string_to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode()).hexdigest()
        expected = hmac.new(
            self.access_key_secret.encode(), string_to_sign.encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
        nonce = request.headers.get("x-acs-signature-nonce", "")
        with self._lock:
            if nonce in self.nonces:
                return "SignatureNonceUsed", "Specified signature nonce was used already."
            self.nonces.add(nonce)
        return None


class TencentServer(ProviderServer):
    """SendSms 2021-01-11, TC3-HMAC-SHA256; every answer is HTTP 200 with {"Response": …}."""

    def handle(self, request: Request) -> tuple[int, dict[str, Any]]:
        request_id = f"req-{len(self.answers) + 1}"

        def error(code: str, message: str) -> tuple[int, dict[str, Any]]:
            return 200, {"Response": {"Error": {"Code": code, "Message": message}, "RequestId": request_id}}

        refusal = self.check_signature(request)
        if refusal is not None:
            self.record("bad_signature")
            return error(*refusal)
        if (
            request.headers.get("x-tc-action") != "SendSms"
            or request.headers.get("x-tc-version") != "2021-01-11"
        ):
            self.record("fail")
            return error("InvalidAction", "no such action")
        params = json.loads(request.body)
        for name in ("PhoneNumberSet", "SmsSdkAppId", "TemplateId"):
            if not params.get(name):
                self.record("fail")
                return error("MissingParameter", f"The request is missing a required parameter `{name}`.")
        phone = params["PhoneNumberSet"][0]
        mode = self.next_mode()

        def status(code: str, message: str) -> tuple[int, dict[str, Any]]:
            return 200, {
                "Response": {
                    "SendStatusSet": [
                        {
                            "SerialNo": f"2645:{len(self.answers)}",
                            "PhoneNumber": phone,
                            "Fee": 1,
                            "SessionContext": params.get("SessionContext", ""),
                            "Code": code,
                            "Message": message,
                            "IsoCode": "CN",
                        }
                    ],
                    "RequestId": request_id,
                }
            }

        if mode == "throttle":
            self.record(mode)
            return status(
                "LimitExceeded.PhoneNumberThirtySecondLimit",
                "the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit",
            )
        if mode == "api_throttle":
            self.record(mode)
            return error("RequestLimitExceeded", "The number of requests exceeds the frequency limit.")
        if mode == "fail":
            self.record(mode)
            return error(
                "FailedOperation.TemplateIncorrectOrUnapproved",
                "the template is not approved or its content is incorrect",
            )
        if mode == "error500":
            self.record(mode)
            return 502, {"message": "bad gateway"}
        self.record(
            "ok",
            Accepted(
                phone,
                (params.get("TemplateParamSet") or [""])[0],
                params["TemplateId"],
                params.get("SignName", ""),
                params.get("SessionContext", ""),
            ),
        )
        return status("Ok", "send success")

    def check_signature(self, request: Request) -> tuple[str, str] | None:
        authorization = request.headers.get("authorization", "")
        algorithm, _, fields = authorization.partition(" ")
        if algorithm != "TC3-HMAC-SHA256":
            return "AuthFailure.InvalidAuthorization", "Authorization header must start with TC3-HMAC-SHA256."
        parts = dict(part.strip().split("=", 1) for part in fields.split(",") if "=" in part)
        secret_id, _, scope = parts.get("Credential", "").partition("/")
        if secret_id != self.access_key_id:
            return "AuthFailure.SecretIdNotFound", "The SecretId is not found."
        try:
            timestamp = int(request.headers.get("x-tc-timestamp", ""))
        except ValueError:
            return "AuthFailure.InvalidAuthorization", "X-TC-Timestamp is missing."
        if abs(time.time() - timestamp) > 300:
            return "AuthFailure.SignatureExpire", "Signature expired."
        date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
        if scope != f"{date}/sms/tc3_request":
            return "AuthFailure.InvalidAuthorization", "Credential scope does not match the timestamp."
        signed = parts.get("SignedHeaders", "").split(";")
        if "host" not in signed or "content-type" not in signed:
            return "AuthFailure.InvalidAuthorization", "SignedHeaders must include content-type and host."
        canonical_headers = "".join(
            f"{name}:{request.headers.get(name, '').strip().lower()}\n" for name in signed
        )
        split = urlsplit(request.target)
        canonical_request = "\n".join(
            [
                request.method,
                split.path or "/",
                split.query,
                canonical_headers,
                ";".join(signed),
                hashlib.sha256(request.body).hexdigest(),
            ]
        )
        string_to_sign = "\n".join(
            ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
        )

        def mac(key: bytes, message: str) -> bytes:
            return hmac.new(key, message.encode(), hashlib.sha256).digest()

        key = mac(mac(mac(("TC3" + self.access_key_secret).encode(), date), "sms"), "tc3_request")
        expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("Signature", "")):
            return "AuthFailure.SignatureFailure", "The provided credentials could not be validated."
        return None
