"""Tencent Cloud SMS (SendSms, API 2021-01-11) with the TC3-HMAC-SHA256 signature.

As documented in cloud.tencent.com/document/api/382/55981 (SendSms) and /52072 (signature v3):

    POST / HTTP/1.1   Host: sms.tencentcloudapi.com   Content-Type: application/json; charset=utf-8
    X-TC-Action: SendSms  X-TC-Version: 2021-01-11  X-TC-Timestamp: <unix s>  X-TC-Region: ap-guangzhou
    Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<date>/sms/tc3_request, SignedHeaders=content-type;host,
                   Signature=<hex>
    {"PhoneNumberSet": ["+8619912345678"], "SmsSdkAppId": "1400006666", "SignName": "…", "TemplateId": "…",
     "TemplateParamSet": ["…"], "SessionContext": "<outbox id>"}

    CanonicalRequest = POST \\n / \\n "" \\n content-type:…\\nhost:…\\n \\n content-type;host \\n hex(SHA256(body))
    StringToSign     = TC3-HMAC-SHA256 \\n <timestamp> \\n <date>/sms/tc3_request \\n hex(SHA256(CanonicalRequest))
    SecretSigning    = HMAC(HMAC(HMAC("TC3" + SecretKey, date), "sms"), "tc3_request");  Signature = hex(HMAC(…))

Answer (always HTTP 200): `{"Response": {"SendStatusSet": [{"Code": "Ok", "SerialNo": …}], "RequestId": …}}`, or
`{"Response": {"Error": {"Code": "AuthFailure.SignatureFailure", "Message": …}, "RequestId": …}}`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from training.config import Settings
from training.sms.providers import SmsFailure, template_for

ENDPOINT = "https://sms.tencentcloudapi.com"
SERVICE = "sms"
ACTION = "SendSms"
VERSION = "2021-01-11"
ALGORITHM = "TC3-HMAC-SHA256"
DEFAULT_REGION = "ap-guangzhou"
CONTENT_TYPE = "application/json; charset=utf-8"

# Later may cure these: rate limits (the API's and the per-number frequency limits), Tencent's own trouble, and
# the account's set-up (keys, clock, balance), fixed once by an operator for every waiting message.
TEMPORARY_PREFIXES = (
    "RequestLimitExceeded",
    "LimitExceeded.",
    "InternalError",
    "ResourceUnavailable",
    "AuthFailure",
    "FailedOperation.InsufficientBalanceInSmsPackage",
    "UnauthorizedOperation.SmsSdkAppIdVerifyFail",
    "UnauthorizedOperation.IndividualUserMarketingSmsPermissionDeny",
)


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def sign(secret_key: str, host: str, body: bytes, timestamp: int) -> tuple[str, str]:
    """(credential scope, signature) for a SendSms POST signed over content-type and host."""
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{CONTENT_TYPE}\nhost:{host.lower()}\n",
            "content-type;host",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    date = datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")
    scope = f"{date}/{SERVICE}/tc3_request"
    string_to_sign = "\n".join(
        [ALGORITHM, str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret_key).encode(), date), SERVICE), "tc3_request")
    return scope, hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def is_permanent(code: str) -> bool:
    return not any(code.startswith(prefix) for prefix in TEMPORARY_PREFIXES)


class TencentClient:
    name = "tencent"

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.endpoint = settings.sms_endpoint or ENDPOINT
        self.http = http or httpx.AsyncClient(timeout=settings.sms_timeout)

    def build(
        self, phone: str, text: str, *, kind: str, outbox_id: int, timestamp: int | None = None
    ) -> httpx.Request:
        settings = self.settings
        body = json.dumps(
            {
                "PhoneNumberSet": [f"+86{phone}"],
                "SmsSdkAppId": settings.sms_app_id,
                "SignName": settings.sms_sign_name,
                "TemplateId": template_for(settings, kind),
                "TemplateParamSet": [text],
                "SessionContext": str(outbox_id),
            },
            ensure_ascii=False,
        ).encode()
        host = urlsplit(self.endpoint).netloc
        stamp = int(time.time()) if timestamp is None else timestamp
        scope, signature = sign(settings.sms_access_key_secret, host, body, stamp)
        headers = {
            "Host": host,
            "Content-Type": CONTENT_TYPE,
            "X-TC-Action": ACTION,
            "X-TC-Version": VERSION,
            "X-TC-Timestamp": str(stamp),
            "X-TC-Region": settings.sms_region or DEFAULT_REGION,
            "Authorization": (
                f"{ALGORITHM} Credential={settings.sms_access_key_id}/{scope}, "
                f"SignedHeaders=content-type;host, Signature={signature}"
            ),
        }
        return httpx.Request("POST", f"{self.endpoint}/", headers=headers, content=body)

    async def send(self, phone: str, text: str, *, kind: str, outbox_id: int) -> str:
        response = await self.http.send(self.build(phone, text, kind=kind, outbox_id=outbox_id))
        if response.status_code >= 500:
            raise SmsFailure(f"HTTP {response.status_code}", "", permanent=False)
        try:
            answer = response.json()["Response"]
        except (ValueError, KeyError, TypeError):
            raise SmsFailure("bad_answer", f"HTTP {response.status_code}", permanent=False) from None
        error = answer.get("Error")
        if error:
            code = str(error.get("Code") or "Error")
            raise SmsFailure(code, str(error.get("Message") or ""), permanent=is_permanent(code))
        statuses = answer.get("SendStatusSet") or []
        if not statuses:
            raise SmsFailure("bad_answer", "no SendStatusSet", permanent=False)
        status = statuses[0]
        code = str(status.get("Code") or "")
        if code == "Ok":
            return str(status.get("SerialNo") or "")
        raise SmsFailure(code, str(status.get("Message") or ""), permanent=is_permanent(code))

    async def aclose(self) -> None:
        await self.http.aclose()
