"""Answers: extractive composition per kind of question, citations, the optional LLM path."""

from ..routing.decision import Route
from .compose import NOT_FOUND_TEXT, Answerer, Composition, ExtractiveAnswerer, Unmet
from .merge import merge_answers
from .types import Answer, AnswerDone, Citation, FallbackReason, Mode, StreamEvent, TextDelta

__all__ = [
    "NOT_FOUND_TEXT",
    "Answer",
    "AnswerDone",
    "Answerer",
    "Citation",
    "Composition",
    "ExtractiveAnswerer",
    "FallbackReason",
    "Mode",
    "Route",
    "StreamEvent",
    "TextDelta",
    "Unmet",
    "merge_answers",
]
