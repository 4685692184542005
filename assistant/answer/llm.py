"""The optional LLM path: fluent answers on top of the cited passages, or the extractive answer.

``ASSISTANT_LLM=provider:model`` selects a LangChain chat model through
``init_chat_model`` (``ollama:llama3.1`` needs ``pip install -e '.[ollama]'``,
``openai:gpt-4o-mini`` or any OpenAI-compatible server with
``ASSISTANT_LLM_BASE_URL`` needs ``'.[openai]'``).  :class:`LLMAnswerer` sends the
Dutch prompt (:mod:`.prompt`), streams the reply through the checker
(:mod:`.citecheck`), so only cited, supported sentences are ever shown, and
answers the turn with the extractive answer instead when

- the model is silent for ``llm_timeout_s`` or the whole reply takes longer than
  ``llm_reply_timeout_s`` (reason ``timeout``);
- the provider fails: HTTP 429 (``rate-limited``), no connection
  (``unreachable``), broken JSON (``broken-reply``), any other error
  (``provider-error``);
- no sentence of the reply survives the check (``no-valid-citation``).

Each fallback is one log line with the reason and the error type, never the
question or the reply.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..errors import ConfigError
from ..index.lexical import LexicalIndex
from ..query.model import Query
from ..query.retrieval import RetrievalResult
from ..settings import Settings
from .citecheck import ReplyChecker
from .prompt import PASSAGES, SYSTEM_PROMPT, build_messages
from .render import stream_text
from .types import Citation, FallbackReason, Mode, TextDelta

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """The last item of :meth:`GenerativeAnswerer.stream`: the turn's answer and which path gave it."""

    text: str
    citations: list[Citation] = field(default_factory=list)
    mode: Mode = Mode.LLM
    reason: FallbackReason | None = None


@dataclass(frozen=True)
class Request:
    """What the LLM path answers from: the turn's typed question (with its conversation), what retrieval found."""

    query: Query
    result: RetrievalResult
    lexical: LexicalIndex


class GenerativeAnswerer(Protocol):
    """A path that writes the answer from the retrieved passages, with the extractive answer as fallback."""

    def stream(self, request: Request, fallback: tuple[str, list[Citation]]) -> Iterator[TextDelta | Outcome]:
        """Yield the text to show as it is ready, then the :class:`Outcome`."""
        ...


class _Failed(Exception):
    def __init__(self, reason: FallbackReason, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class LLMAnswerer:
    """Answers through a LangChain chat model, checked sentence by sentence, under a deadline.

    ``model`` is any LangChain chat model (``stream``/``invoke``); ``streaming=False``
    asks for the whole reply at once (for servers that stream badly).
    """

    def __init__(
        self,
        model: Any,
        *,
        timeout_s: float = 15.0,
        reply_timeout_s: float = 60.0,
        streaming: bool = True,
        passages: int = PASSAGES,
    ) -> None:
        self.model = model
        self.timeout_s = timeout_s
        self.reply_timeout_s = reply_timeout_s
        self.streaming = streaming
        self.passages = passages

    @classmethod
    def from_settings(cls, settings: Settings) -> LLMAnswerer:
        """The answerer for ``settings.llm`` (raises ConfigError with what to fix)."""
        return cls(
            chat_model(settings),
            timeout_s=settings.llm_timeout_s,
            reply_timeout_s=settings.llm_reply_timeout_s,
            streaming=settings.llm_stream,
        )

    def stream(self, request: Request, fallback: tuple[str, list[Citation]]) -> Iterator[TextDelta | Outcome]:
        t0 = time.perf_counter()
        hits = request.result.hits[: self.passages]
        checker = ReplyChecker(hits, request.lexical, request.query.with_context, SYSTEM_PROMPT)
        failure: _Failed | None = None
        try:
            for piece in self._reply(build_messages(request.query, hits)):
                yield from map(TextDelta, checker.feed(piece))
            yield from map(TextDelta, checker.finish())
        except _Failed as err:
            failure = err
        ms = (time.perf_counter() - t0) * 1000
        dropped = ", ".join(f"{k}={v}" for k, v in sorted(checker.dropped.items())) or "none"
        if failure is None and checker.text:
            logger.info("llm: answered (%d sentences, dropped: %s; %.0f ms)", checker.segments, dropped, ms)
            yield Outcome(checker.text, checker.citations())
            return
        if failure is None:
            failure = _Failed(FallbackReason.NO_VALID_CITATION, f"{checker.segments} sentences, dropped: {dropped}")
        logger.warning("llm: extractive answer instead (reason=%s: %s; %.0f ms)", failure.reason, failure.detail, ms)
        text, citations = fallback
        if checker.text:
            yield TextDelta("\n\n")  # the checked sentences shown so far give way to the extractive answer
        yield from stream_text(text)
        yield Outcome(text, citations, Mode.FALLBACK, failure.reason)

    def _reply(self, messages: list[Any]) -> Iterator[str]:
        """The model's reply in pieces, under ``timeout_s`` of silence and ``reply_timeout_s`` in all.

        LangChain's ``stream`` has no deadline of its own, and the provider's HTTP
        timeout bounds one read, not a reply that trickles in: the model is read in
        a worker thread and this generator stops waiting when a deadline passes.
        The worker stops at its next piece, or when the provider's own timeout
        (set to ``timeout_s`` as well) ends a read that hangs.
        """
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                if self.streaming:
                    for chunk in self.model.stream(messages):
                        if stop.is_set():
                            return
                        pieces.put(("piece", _content(chunk)))
                else:
                    pieces.put(("piece", _content(self.model.invoke(messages))))
                pieces.put(("end", None))
            except BaseException as err:  # handed to the reader, who decides
                pieces.put(("error", err))

        threading.Thread(target=pump, name="llm-reply", daemon=True).start()
        end = time.monotonic() + self.reply_timeout_s
        try:
            while True:
                wait = min(self.timeout_s, end - time.monotonic())
                try:
                    kind, value = pieces.get(timeout=max(0.0, wait))
                except queue.Empty:
                    raise _Failed(FallbackReason.TIMEOUT, f"no reply within {wait:.1f} s") from None
                if kind == "end":
                    return
                if kind == "error":
                    raise _Failed(*_classify(value)) from value
                if value:
                    yield value
        finally:
            stop.set()


def _content(chunk: Any) -> str:
    """The text of a message chunk (string content, or the text parts of a list)."""
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p if isinstance(p, str) else str(p.get("text", "")) for p in content if isinstance(p, str | dict)
        )
    return ""


def _classify(err: BaseException) -> tuple[FallbackReason, str]:
    """The fallback reason of a provider error, and a detail safe to log (type and status, no text).

    By class names and ``status_code``, so it needs neither provider package:
    openai raises ``APITimeoutError``/``APIConnectionError``/``RateLimitError``,
    ollama ``ResponseError``, httpx ``ReadTimeout``/``ConnectError``.
    """
    names = {c.__name__ for c in type(err).__mro__}
    status = getattr(err, "status_code", None)
    detail = type(err).__name__ + (f" {status}" if isinstance(status, int) else "")
    if status == 429 or "RateLimitError" in names:
        return FallbackReason.RATE_LIMITED, detail
    if isinstance(err, TimeoutError) or any("Timeout" in n for n in names):
        return FallbackReason.TIMEOUT, detail
    if any(n in names for n in ("APIConnectionError", "ConnectError", "ConnectionError", "NetworkError")):
        return FallbackReason.UNREACHABLE, detail
    if isinstance(status, int):
        return FallbackReason.PROVIDER_ERROR, detail
    if isinstance(err, ValueError) or "APIResponseValidationError" in names:
        return FallbackReason.BROKEN_REPLY, detail
    return FallbackReason.PROVIDER_ERROR, detail


#: Keyword arguments per provider: the request timeout and no retries (the fallback is better than waiting).
def _provider_kwargs(provider: str, settings: Settings, secret: str | None) -> dict[str, Any]:
    if provider == "openai":
        if not settings.llm_base_url and not secret:
            raise ConfigError(
                "ASSISTANT_LLM=openai:... heeft een API-sleutel nodig: zet ASSISTANT_LLM_API_KEY_ENV op de naam van de "
                "variabele die hem bevat, of ASSISTANT_LLM_BASE_URL voor een OpenAI-compatibele server."
            )
        # A server without authentication still needs some key; the provider would
        # otherwise read OPENAI_API_KEY itself (secrets are only read by name, in settings).
        return {"timeout": settings.llm_timeout_s, "max_retries": 0, "api_key": secret or "unused"}
    if provider == "ollama":
        client: dict[str, Any] = {"timeout": settings.llm_timeout_s}
        if secret:  # an Ollama behind a proxy that wants a bearer token
            client["headers"] = {"Authorization": f"Bearer {secret}"}
        return {"client_kwargs": client}
    return {"api_key": secret} if secret else {}


def chat_model(settings: Settings) -> Any:
    """Build the configured LangChain chat model (raises ConfigError with what to fix)."""
    if not settings.llm:
        raise ConfigError("geen chatmodel ingesteld (ASSISTANT_LLM is leeg); zet ASSISTANT_LLM, bv. ollama:llama3.1.")
    provider, _, model = settings.llm.partition(":")
    secret = settings.secret()
    if settings.llm_api_key_env and not secret:
        raise ConfigError(
            f"ASSISTANT_LLM_API_KEY_ENV noemt {settings.llm_api_key_env}, maar die variabele is niet gezet; "
            "zet de API-sleutel erin, of verwijder ASSISTANT_LLM_API_KEY_ENV."
        )
    kwargs: dict[str, Any] = {"temperature": 0, **_provider_kwargs(provider, settings, secret)}
    if settings.llm_base_url:
        kwargs["base_url"] = settings.llm_base_url
    try:
        from langchain.chat_models import init_chat_model

        return init_chat_model(model, model_provider=provider, **kwargs)
    except (ImportError, ValueError) as err:
        extra = f" (pip install -e '.[{provider}]')" if provider in ("openai", "ollama") else ""
        raise ConfigError(
            f"chatmodel {settings.llm!r} kan niet worden opgezet ({type(err).__name__}: {err}); installeer het "
            f"providerpakket langchain-{provider}{extra}, of verwijder ASSISTANT_LLM voor extractieve antwoorden."
        ) from err
