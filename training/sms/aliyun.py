"""Alibaba Cloud SMS (dysmsapi 2017-05-25, SendSms) with the V3 request signature, ACS3-HMAC-SHA256.

Request (RPC style, parameters in the query string, empty body), as documented in "Request syntax and signature
method V3" (help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):

    POST /?PhoneNumbers=…&SignName=…&TemplateCode=…&TemplateParam=…&OutId=… HTTP/1.1
    host, x-acs-action: SendSms, x-acs-version: 2017-05-25, x-acs-date: 2026-12-01T02:00:00Z,
    x-acs-signature-nonce: <random>, x-acs-content-sha256: hex(SHA256(body)),
    Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=<names>,Signature=<hex>

    CanonicalRequest = METHOD \\n URI \\n CanonicalQueryString \\n CanonicalHeaders \\n SignedHeaders \\n hex(SHA256(body))
    StringToSign     = "ACS3-HMAC-SHA256" \\n hex(SHA256(CanonicalRequest))
    Signature        = hex(HMAC-SHA256(AccessKeySecret, StringToSign))

Answer: `{"Code": "OK", "Message": "OK", "BizId": "…", "RequestId": "…"}`; anything but Code OK is a failure,
whether the gateway says it with HTTP 4xx (SignatureDoesNotMatch, Throttling.User) or SendSms with HTTP 200
(isv.BUSINESS_LIMIT_CONTROL, isv.MOBILE_NUMBER_ILLEGAL). SendSms has no idempotency (the documentation says so).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from urllib.parse import quote, urlsplit

import httpx

from training.config import Settings
from training.sms.providers import SmsFailure, template_for

ENDPOINT = "https://dysmsapi.aliyuncs.com"
ACTION = "SendSms"
VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"

# Failures that later may cure: throttling and quotas, the provider's own trouble, and the account's set-up
# (keys, permissions, balance), which an operator fixes for every waiting message at once.
TEMPORARY_CODES = (
    "Throttling",
    "isv.BUSINESS_LIMIT_CONTROL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL",
    "isv.OUT_OF_SERVICE",
    "isv.AMOUNT_NOT_ENOUGH",
    "isp.",
    "ServiceUnavailable",
    "InternalError",
    "SignatureDoesNotMatch",
    "SignatureNonceUsed",
    "InvalidTimeStamp",
    "InvalidAccessKeyId",
    "Forbidden",
    "isv.ACCOUNT_ABNORMAL",
    "isv.PRODUCT_UN_SUBSCRIPT",
    "isv.PRODUCT_UNSUBSCRIBE",
)


def percent_encode(value: str) -> str:
    """RFC 3986: unreserved characters (A-Z a-z 0-9 - _ . ~) stay, the rest is %XY of its UTF-8 bytes."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))


def sign(
    secret: str, method: str, path: str, params: Mapping[str, str], headers: Mapping[str, str], body: bytes
) -> tuple[str, str]:
    """(SignedHeaders, Signature) for a request. `headers` are the ones to sign: host, x-acs-*, content-type."""
    lowered = {name.lower(): value.strip() for name, value in headers.items()}
    names = sorted(lowered)
    canonical_headers = "".join(f"{name}:{lowered[name]}\n" for name in names)
    signed_headers = ";".join(names)
    canonical_request = "\n".join(
        [
            method,
            path or "/",
            canonical_query(params),
            canonical_headers,
            signed_headers,
            hashlib.sha256(body).hexdigest(),
        ]
    )
    string_to_sign = f"{ALGORITHM}\n{hashlib.sha256(canonical_request.encode()).hexdigest()}"
    signature = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()
    return signed_headers, signature


def classify_code(code: str) -> bool:
    """Whether a failure code is permanent for this message."""
    return not any(code == prefix or code.startswith(prefix) for prefix in TEMPORARY_CODES)


class AliyunClient:
    name = "aliyun"

    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.endpoint = settings.sms_endpoint or ENDPOINT
        self.http = http or httpx.AsyncClient(timeout=settings.sms_timeout)

    def build(
        self, phone: str, text: str, *, kind: str, outbox_id: int, now: datetime | None = None
    ) -> httpx.Request:
        settings = self.settings
        params = {
            "PhoneNumbers": phone,
            "SignName": settings.sms_sign_name,
            "TemplateCode": template_for(settings, kind),
            "TemplateParam": json.dumps({settings.sms_template_param: text}, ensure_ascii=False),
            "OutId": str(outbox_id),  # shows up in delivery receipts: which outbox row it was
        }
        body = b""
        host = urlsplit(self.endpoint).netloc
        headers = {
            "host": host,
            "x-acs-action": ACTION,
            "x-acs-version": VERSION,
            "x-acs-date": (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "x-acs-signature-nonce": secrets.token_hex(16),
            "x-acs-content-sha256": hashlib.sha256(body).hexdigest(),
        }
        signed_headers, signature = sign(settings.sms_access_key_secret, "POST", "/", params, headers, body)
        headers["Authorization"] = (
            f"{ALGORITHM} Credential={settings.sms_access_key_id},"
            f"SignedHeaders={signed_headers},Signature={signature}"
        )
        # the query is sent exactly as it was signed
        url = f"{self.endpoint}/?{canonical_query(params)}"
        return httpx.Request("POST", url, headers=headers, content=body)

    async def send(self, phone: str, text: str, *, kind: str, outbox_id: int) -> str:
        response = await self.http.send(self.build(phone, text, kind=kind, outbox_id=outbox_id))
        try:
            answer = response.json()
        except ValueError:
            response.raise_for_status()
            raise SmsFailure(
                "bad_answer", f"HTTP {response.status_code}, not JSON", permanent=False
            ) from None
        code = str(answer.get("Code") or f"HTTP {response.status_code}")
        if response.status_code == 200 and code == "OK":
            return str(answer.get("BizId") or "")
        if response.status_code >= 500:
            raise SmsFailure(code, str(answer.get("Message") or ""), permanent=False)
        raise SmsFailure(code, str(answer.get("Message") or ""), permanent=classify_code(code))

    async def aclose(self) -> None:
        await self.http.aclose()
