"""schemathesis hooks of `cargo xtask fuzz` (loaded through SCHEMATHESIS_HOOKS).

Idempotency keys. A real client sends a fresh `Idempotency-Key` with each new request, but
schemathesis draws the header like any other value, so two different generated bodies often
share one key and the service rightly answers 422 `IDEMPOTENCY_KEY_REUSED` (which schemathesis
counts as a valid request refused). A key that is valid by the document is replaced by a fresh
one just before the call; an invalid one is kept, so the service's refusal of malformed keys is
still checked. Replay of a key is tested by the API suite (`crates/api/tests/api/idempotency.rs`).

Creates that succeed. The creates (`POST /campaigns`, `POST /campaigns/{id}/markets`,
`POST /promoters`) have rules JSON Schema cannot state: they span several fields (one default
locale, preview domain other than the site, close after open), other records (a site domain no
other campaign holds, promoters that exist, a market name and event ids no other market of the
campaign has, a presale inside the campaign's window) or other requests. Generated bodies
rarely pass them all, so few records were created and the stateful phase, which starts from
what the creates answer, rarely reached a campaign or a market. Here, a share of the
schema-valid create bodies is repaired just before the call: the generated values are kept and
only what breaks such a rule is changed (a duplicate dropped, a default chosen, a pair of dates
put in order, a unique label put in front of a domain, ids of promoters that exist). The rest
of the schema-valid bodies, and every schema-violating one, go out as generated, so the service's
refusals are still exercised. Whether a body is repaired depends only on the body, so a seed
still replays a run. schemathesis validates a case again after a `before_call` hook changes it.
"""

import copy
import datetime
import hashlib
import itertools
import json
import re
import threading
import uuid

import schemathesis
from schemathesis.core.parameters import ParameterLocation

VALID_KEY = re.compile(r"[\x21-\x7E]{1,255}")

# The share of schema-valid create bodies repaired, by phase. The examples phase sends the
# document's own examples, and the coverage phase its boundary values: both go out as they are.
REPAIR_SHARE = {"fuzzing": 0.5, "stateful": 0.8}

# Tells this run's domains from another run's against the same store.
RUN = uuid.uuid4().hex[:8]
_serial = itertools.count(1)
_lock = threading.Lock()
# Ids of the promoters created so far, for the markets' `promoterIds`.
_promoters = []
# Presale window (start, end) of each campaign created or changed so far, by id.
_windows = {}


@schemathesis.hook
def before_call(context, case, kwargs):
    _fresh_idempotency_key(case)
    repair = REPAIRS.get((str(case.method).upper(), case.path))
    if repair is not None and _should_repair(case):
        case.body = repair(case, copy.deepcopy(case.body))


@schemathesis.hook
def after_call(context, case, response):
    if (str(case.method).upper(), case.path) == ("DELETE", "/promoters/{id}"):
        if response.status_code == 204:
            with _lock:
                gone = str((case.path_parameters or {}).get("id"))
                _promoters[:] = [p for p in _promoters if p != gone]
        return
    if (str(case.method).upper(), case.path) not in RECORDED or not 200 <= response.status_code < 300:
        return
    try:
        data = response.json().get("data")
    except Exception:
        return
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        return
    with _lock:
        if case.path == "/promoters":
            _promoters.append(data["id"])
        else:
            dates = data.get("date") or {}
            _windows[data["id"]] = (dates.get("presaleWindowStart"), dates.get("presaleWindowEnd"))


def _fresh_idempotency_key(case):
    headers = case.headers or {}
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_KEY.fullmatch(key):
        headers["Idempotency-Key"] = str(uuid.uuid4())
        case.headers = headers


def _should_repair(case):
    meta = case.meta
    if meta is None or meta.is_negative_at(ParameterLocation.BODY) or not isinstance(case.body, dict):
        return False
    share = REPAIR_SHARE.get(str(meta.phase.name), 0.0)
    digest = hashlib.sha256(json.dumps(case.body, sort_keys=True, default=str).encode()).digest()
    return int.from_bytes(digest[:4], "big") < share * 2**32


def _serial_number():
    return next(_serial)


def _locale_key(locale):
    return locale.replace("_", "-").lower() if isinstance(locale, str) else locale


def _uuid_key(text):
    try:
        return uuid.UUID(text)
    except (ValueError, TypeError, AttributeError):
        return text


def _dedupe_keys(mapping, key):
    """`mapping` without the entries whose key means the same as an earlier one's."""
    if not isinstance(mapping, dict):
        return mapping
    seen = set()
    kept = {}
    for name, value in mapping.items():
        if key(name) not in seen:
            seen.add(key(name))
            kept[name] = value
    return kept


def _instant(text):
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, TypeError, AttributeError):
        return None


def _order(dates, first, second):
    """Puts `dates[first]` strictly before `dates[second]` when both are set."""
    a, b = _instant(dates.get(first)), _instant(dates.get(second))
    if a is None or b is None or a.tzinfo is None or b.tzinfo is None or a < b:
        return
    if b < a:
        dates[first], dates[second] = dates[second], dates[first]
    else:
        dates[second] = None


def _unique_domain(label, domain):
    """`domain` under a new first label, unless that makes it too long (then a fresh name)."""
    if not isinstance(domain, str):
        return domain
    name = f"{label}.{domain.rstrip('.')}"
    return name if len(name) <= 253 else f"{label}.example.com"


def repair_campaign(case, body):
    n = _serial_number()
    # PREVIEW needs the whole campaign; a repaired create asks for the default, DRAFT.
    body.pop("status", None)
    domain = body.get("domain")
    if isinstance(domain, dict):
        domain["site"] = _unique_domain(f"s{n}-{RUN}", domain.get("site"))
        if domain.get("preview") is not None:
            domain["preview"] = _unique_domain(f"p{n}-{RUN}", domain["preview"])
    locales = body.get("locales")
    if isinstance(locales, list):
        seen = set()
        kept = []
        for locale in locales:
            if isinstance(locale, dict) and _locale_key(locale.get("id")) not in seen:
                seen.add(_locale_key(locale.get("id")))
                kept.append(locale)
        for i, locale in enumerate(kept):
            locale["is_default"] = i == 0
        body["locales"] = kept
    content = _dedupe_keys(body.get("content"), _locale_key)
    if isinstance(content, dict):
        for entry in content.values():
            if isinstance(entry, dict) and isinstance(entry.get("faqs"), dict):
                entry["faqs"] = _dedupe_keys(entry["faqs"], _uuid_key)
        body["content"] = content
    preferences = body.get("preferences")
    if isinstance(preferences, list):
        seen = set()
        kept = []
        for preference in preferences:
            if isinstance(preference, dict) and preference.get("id") not in seen:
                seen.add(preference.get("id"))
                if isinstance(preference.get("label"), dict):
                    preference["label"] = _dedupe_keys(preference["label"], _locale_key)
                kept.append(preference)
        body["preferences"] = kept
    dates = body.get("date")
    if isinstance(dates, dict):
        _order(dates, "open", "close")
        _order(dates, "presaleWindowStart", "presaleWindowEnd")
    return body


def repair_market(case, body):
    n = _serial_number()
    name = body.get("name")
    if isinstance(name, str):
        body["name"] = f"{name[:180]} #{n}-{RUN}"
    event = body.get("event")
    if isinstance(event, dict):
        if isinstance(event.get("ids"), list):
            suffix = f"-{n}{RUN}"
            event["ids"] = [
                f"{i[: 64 - len(suffix)]}{suffix}" if isinstance(i, str) else i for i in event["ids"]
            ]
        with _lock:
            window = _windows.get(str((case.path_parameters or {}).get("id")))
        presale = _instant(event.get("presaleDateTime"))
        if window is not None and presale is not None:
            start, end = (_instant(w) for w in window)
            if (start is not None and presale < start) or (end is not None and presale > end):
                event["presaleDateTime"] = window[0] if start is not None else window[1]
    if isinstance(body.get("promoterIds"), list):
        with _lock:
            known = list(_promoters)
        body["promoterIds"] = known[: len(body["promoterIds"])]
    return body


def repair_promoter(case, body):
    urls = body.get("privacyUrls")
    if isinstance(urls, list):
        for i, url in enumerate(urls):
            if isinstance(url, dict):
                url["is_default"] = i == 0
    return body


REPAIRS = {
    ("POST", "/campaigns"): repair_campaign,
    ("POST", "/campaigns/{id}/markets"): repair_market,
    ("POST", "/promoters"): repair_promoter,
}

# The answers whose records the repairs need: promoters created, campaigns' presale windows.
RECORDED = {("POST", "/promoters"), ("POST", "/campaigns"), ("POST", "/campaigns/{id}")}
