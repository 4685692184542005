"""Hostile input: fuzzed documents and questions, bombs and giant files.

Guarantees tested here (issue "Hold up under load, faults and hostile input"):

* a parser lets only :class:`DocumentError` escape, whatever the bytes or text;
* a parser never puts a piece of the input's text into its output more often
  than the input holds it (no amplification: nested tags once blew 70 KB of
  HTML up to 75 MB of "text"), and content of script/nav/... never leaks;
* the question path lets only :class:`QuestionError` escape; a cleaned question
  is plain text (storable as UTF-8, no control characters), cleaning twice
  changes nothing, and long questions are cut to ``max_question_chars``;
* hostile files (decompression bombs, thousands of pages, giant pages, inputs
  that make a regular expression backtrack) are refused or parsed in bounded
  time and memory.

The number of examples each property ran is printed at the end of the module
("fuzz examples: ...").  Hypothesis examples are random on every run (no example
database is kept); a failure prints the falsifying example.
"""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import make_pdf
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.db import Database
from assistant.errors import DocumentError, QuestionError, VraagbaakError
from assistant.ingestion.loading import DocumentMeta, ParsedDocument, parse_file, parse_html, parse_markdown
from assistant.settings import PROJECT_ROOT, Settings
from assistant.triage import FeedbackStore, TriageStore
from assistant.vraagbaak import Vraagbaak, clean_question

#: How many examples each fuzz property ran (printed at the end of the module).
EXAMPLES: Counter[str] = Counter()

FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
MAX_CHARS = Settings().max_question_chars


@pytest.fixture(scope="module", autouse=True)
def _report_examples(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if not EXAMPLES:
        return
    line = "fuzz examples: " + ", ".join(f"{k}={v}" for k, v in sorted(EXAMPLES.items()))
    line += f"; total {sum(EXAMPLES.values())}"
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:  # pragma: no cover - pytest without its plugins
        print(line)
        return
    with capture.global_and_fixture_disabled():  # shown in the run's output, not as captured teardown output
        reporter.write_line("")
        reporter.write_line(line)


def _meta(name: str, doc_type: str = "publicatie") -> DocumentMeta:
    return DocumentMeta(path=name, doc_id=Path(name).stem, title=Path(name).stem, doc_type=doc_type)


def _check_doc(doc: ParsedDocument, *, from_bytes: bool = False) -> None:
    """The shape every parser promises (what chunking and the index rely on)."""
    assert isinstance(doc, ParsedDocument)
    assert isinstance(doc.meta.title, str)
    for block in doc.blocks:
        assert isinstance(block.text, str)
        assert isinstance(block.section, tuple) and all(isinstance(s, str) for s in block.section)
        assert block.page is None or 1 <= block.page <= max(doc.pages, 1)
    if from_bytes:
        # Text decoded from a file must be storable (chunks.jsonl, Chroma, JSON answers).
        doc.text.encode("utf-8")
        "".join(s for b in doc.blocks for s in b.section).encode("utf-8")


def _parsed_or_refused(parse: Callable[[], ParsedDocument], *, from_bytes: bool = False) -> ParsedDocument | None:
    """Run a parser: a document or a DocumentError; any other exception fails the test."""
    try:
        doc = parse()
    except DocumentError as err:
        assert err.reason and err.path, "a DocumentError must say which file and why"
        return None
    _check_doc(doc, from_bytes=from_bytes)
    return doc


# --------------------------------------------------------------------------- strategies

#: Words of the generated documents: distinct, and no substring of a tag or attribute name.
WORDS = ("vorming", "socius", "vraagje", "werking", "beleid", "vrijwilliger", "subsidie", "gids", "netwerk", "kompas")
#: Text that only ever appears inside script/style/nav/...: it must never reach a block.
HIDDEN = "verborgenzin"
_WORD_RE = re.compile(r"[a-z]+")

TEXT_TAGS = ("p", "li", "dd", "dt", "blockquote", "figcaption", "pre", "h1", "h2", "h3", "h4", "h5", "h6")
TABLE_TAGS = ("table", "tbody", "thead", "tr", "td", "th", "caption")
CONTAINERS = ("div", "section", "main", "article", "ul", "ol", "dl", "span", "b", "i", "a", "em", "strong", "body")
DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template", "svg", "iframe")
ATTRIBUTES = ("", ' role="main"', ' class="inhoud"', ' id="x1"', " hidden", ' style="color:red"', ' data-x="&lt;p&gt;"')


def _words_of(text: str) -> Counter[str]:
    return Counter(w for w in _WORD_RE.findall(text) if w in WORDS or w == HIDDEN)


def _assert_no_amplification(source: str, doc: ParsedDocument | None) -> None:
    """Every word occurs in the output at most as often as in the source; hidden text never."""
    if doc is None:
        return
    out = Counter(w for b in doc.blocks for w in _words_of(b.text).elements())
    src = _words_of(source)
    assert out[HIDDEN] == 0, "content of script/style/nav/... leaked into the text"
    grown = {w: (src[w], n) for w, n in out.items() if n > src[w]}
    assert not grown, f"text repeated in the output (word: (in source, in output)) {grown}"


_text_run = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map(" ".join)
_noise = st.sampled_from(
    ["", " ", "\n", "&amp;", "&nbsp;", "&#x2014;", "<br>", "<hr/>", "<!-- x -->", "é", "\u200b", "<", ">", "&"]
)
_leaf = st.one_of(
    st.tuples(_text_run, _noise).map("".join),
    st.sampled_from(DROP_TAGS).map(lambda t: f"<{t}>{HIDDEN}</{t}>"),
    st.just(f"<!-- {HIDDEN} -->"),
)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def render(tag: str, attr: str, kids: list[str], close: bool) -> str:
        return f"<{tag}{attr}>" + "".join(kids) + (f"</{tag}>" if close else "")

    return st.builds(
        render,
        st.sampled_from(TEXT_TAGS + TABLE_TAGS + CONTAINERS),
        st.sampled_from(ATTRIBUTES),
        st.lists(children, max_size=4),
        st.booleans() | st.just(True),
    )


_html_body = st.recursive(_leaf, _element, max_leaves=40)
html_documents = st.builds(
    lambda shell, body: shell.format(body=body),
    st.sampled_from(
        [
            "{body}",
            "<html><body>{body}</body></html>",
            "<!DOCTYPE html><html><head><title>Titel</title><style>p{{}}</style></head><body>{body}</body></html>",
            "<html><body><nav>" + HIDDEN + "</nav><main>{body}</main><footer>" + HIDDEN + "</footer></body></html>",
            "<html><body><div role=main>{body}</div></body></html>",
            "<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'><body>{body}",
        ]
    ),
    _html_body,
)

_md_line = st.builds(
    lambda prefix, words, suffix: prefix + words + suffix,
    st.sampled_from(
        [
            "",
            "# ",
            "## ",
            "###### ",
            "- ",
            "* ",
            "1. ",
            "  - ",
            "    ",
            "> ",
            "> > ",
            "| ",
            "```\n",
            "~~~ ",
            "<div>",
            "[",
            "![",
        ]
    ),
    _text_run,
    st.sampled_from(["", " |", " | x |", "](http://a)", "](", "**", "_", "`", "\n===", "\n---", "\\", "</div>", "  "]),
)
markdown_documents = st.builds(
    lambda front, lines, sep: front + sep.join(lines),
    st.sampled_from(["", "---\ntitle: x\n---\n", "---\n", "|a|b|\n|-|-|\n"]),
    st.lists(_md_line, max_size=30),
    st.sampled_from(["\n", "\n\n", "\r\n", "\n\n\n"]),
)

#: Every code point, lone surrogates included (what a JSON body can carry).
any_text = st.text(st.characters(exclude_categories=()), max_size=400)
hostile_text = st.one_of(
    any_text,
    st.text(st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Co", "Cs")), max_size=200),
    st.binary(max_size=400).map(lambda b: b.decode("latin-1")),
    st.binary(max_size=400).map(lambda b: b.decode("utf-8", "surrogateescape")),
    st.builds(  # a few control characters padded with whitespace, which cleaning collapses
        lambda controls, spaces, words: controls + spaces + words,
        st.text(st.characters(categories=("Cc", "Cs", "Co")), min_size=1, max_size=6),
        st.text(" \t\n\u00a0\u2003", min_size=20, max_size=300),
        _text_run,
    ),
    st.builds(
        lambda q, noise, n: (q + " ") * n + noise,
        st.sampled_from(["Hoeveel vragen kwamen binnen?", "Wat is de toolbox beleidsplanning?", "vraag"]),
        any_text,
        st.integers(1, 400),
    ),
)


# --------------------------------------------------------------------------- HTML and Markdown


@settings(FUZZ, max_examples=250)
@given(source=any_text)
@example(source="<html><body>\x00\x01<p>\ud800</p>")
@example(source="<" * 5000)
def test_parse_html_on_arbitrary_text(source: str) -> None:
    EXAMPLES["html_text"] += 1
    _parsed_or_refused(lambda: parse_html(source, _meta("x.html", "toolbox")))


@settings(FUZZ, max_examples=300)
@given(source=html_documents)
@example(source="<html><body><dl><dd>vorming <dl><dd>socius <dl><dd>gids</dd></dl></dd></dl></dd></dl>")
@example(source="<html><body><table><tr><td><p>vorming socius</p></td></tr></table>")
@example(source="<html><body><blockquote><ul><li>beleid</li></ul></blockquote>")
@example(source="<p>vorming<vorming<script>verborgenzin</script></p>")  # found by CI: a stray "<" before a script
@example(source="<p>vorming<vorming vorming<script>verborgenzin</script></p>")  # the same, glued to an attribute
def test_parse_html_on_structured_random_pages(source: str) -> None:
    EXAMPLES["html_structured"] += 1
    doc = _parsed_or_refused(lambda: parse_html(source, _meta("x.html", "toolbox")))
    _assert_no_amplification(source, doc)


@settings(FUZZ, max_examples=250)
@given(source=any_text)
@example(source="---\n" + "a\n" * 50)
@example(source="[" * 3000)
def test_parse_markdown_on_arbitrary_text(source: str) -> None:
    EXAMPLES["markdown_text"] += 1
    _parsed_or_refused(lambda: parse_markdown(source, _meta("x.md", "decreetgids")))


@settings(FUZZ, max_examples=300)
@given(source=markdown_documents)
def test_parse_markdown_on_structured_random_guides(source: str) -> None:
    EXAMPLES["markdown_structured"] += 1
    doc = _parsed_or_refused(lambda: parse_markdown(source, _meta("x.md", "decreetgids")))
    _assert_no_amplification(source, doc)


@pytest.mark.parametrize("tag", DROP_TAGS)
def test_dropped_parts_never_reach_the_text(tag: str) -> None:
    """Scripts, styles, navigation, forms ... inside and beside text blocks."""
    hidden = f"<{tag}>{HIDDEN}</{tag}>"
    source = (
        f"<html><body><main><h1>gids</h1><p>vorming {hidden}</p><ul><li>beleid {hidden}</li></ul>"
        f"<table><tr><td>socius {hidden}</td></tr></table>{hidden}</main></body></html>"
    )
    doc = _parsed_or_refused(lambda: parse_html(source, _meta("x.html", "toolbox")))
    assert doc is not None and "vorming" in doc.text
    _assert_no_amplification(source, doc)


def test_html_comments_never_reach_the_text() -> None:
    """Editors leave notes (and attackers instructions) in comments; they are not page text."""
    source = f"<html><body><!-- {HIDDEN} --><p>vorming<!-- {HIDDEN} --></p>gids <!-- {HIDDEN} --></body></html>"
    doc = _parsed_or_refused(lambda: parse_html(source, _meta("x.html", "toolbox")))
    assert doc is not None and "vorming" in doc.text and "gids" in doc.text
    _assert_no_amplification(source, doc)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("<html><body>" + "<dl><dd>vorming " * 300, id="nested-dd"),
        pytest.param("<html><body>" + "<pre>vorming " * 300, id="nested-pre"),
        pytest.param("<html><body>" + "<figcaption>vorming " * 300, id="nested-figcaption"),
        pytest.param("<html><body>" + "<table><tr><td>vorming " * 300, id="nested-tables"),
        pytest.param("<html><body>" + "<blockquote><ul><li>vorming " * 300, id="list-in-quote"),
        pytest.param("<html><body><table>" + "<tr><td><p>vorming</p></td></tr>" * 300, id="paragraphs-in-cells"),
    ],
)
def test_nested_markup_is_not_amplified(source: str) -> None:
    """70 KB of nested <dd> once became 75 MB of text in 80 s: output must stay linear."""
    started = time.perf_counter()
    doc = _parsed_or_refused(lambda: parse_html(source, _meta("x.html", "toolbox")))
    _assert_no_amplification(source, doc)
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("brackets", "[" * 40_000),
        ("images", "![" * 20_000),
    ],
)
def test_markdown_link_syntax_does_not_backtrack(name: str, source: str) -> None:
    """40 KB of "[" took 20 s in the link-stripping regular expression (quadratic backtracking)."""
    started = time.perf_counter()
    _parsed_or_refused(lambda: parse_markdown(source, _meta(f"{name}.md", "decreetgids")))
    assert time.perf_counter() - started < 8, "parsing 40 KB of Markdown must take seconds, not minutes"


# --------------------------------------------------------------------------- files


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.fixture(scope="module")
def seed_pdfs(scratch: Path) -> dict[str, bytes]:
    """Real small PDFs from matplotlib: compressed streams and plain (uncompressed) ones."""
    import matplotlib

    pages = ["1. Inleiding\nHet sociaal-\ncultureel werk telt 42 vragen.", "2. Besluit\nWe namen 68 vragen op."]
    compressed = make_pdf(scratch / "seed.pdf", pages).read_bytes()
    with matplotlib.rc_context({"pdf.compression": 0}):
        plain = make_pdf(scratch / "seed-plain.pdf", pages).read_bytes()
    return {"compressed": compressed, "plain": plain}


_SUFFIXES = (".pdf", ".html", ".htm", ".md", ".markdown")
_MAGIC = (
    b"",
    b"%PDF-1.4\n",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<",
    b"<html><body><p>",
    b"# Titel\n\n",
    b"\xef\xbb\xbf",
)


@settings(FUZZ, max_examples=300)
@given(suffix=st.sampled_from(_SUFFIXES), magic=st.sampled_from(_MAGIC), data=st.binary(max_size=3000))
@example(suffix=".html", magic=b"", data=b"\x00\x01\x02")
@example(suffix=".md", magic=b"", data="café".encode("cp1252"))
@example(suffix=".pdf", magic=b"%PDF-1.4\n", data=b"trailer <</Root 1 0 R>>\n%%EOF")
def test_parse_file_on_random_bytes(scratch: Path, suffix: str, magic: bytes, data: bytes) -> None:
    EXAMPLES["file_bytes"] += 1
    path = scratch / f"random{suffix}"
    path.write_bytes(magic + data)
    _parsed_or_refused(lambda: parse_file(path, _meta(path.name)), from_bytes=True)


_PDF_TOKENS = (
    b"obj",
    b"endobj",
    b"stream",
    b"endstream",
    b"xref",
    b"trailer",
    b"startxref",
    b"%%EOF",
    b"<<",
    b">>",
    b"[",
    b"]",
    b"(",
    b")",
    b"\\",
    b"/Length 999999999",
    b"/Filter /FlateDecode",
    b"/Type /Page",
    b"/Kids [1 0 R]",
    b"2 0 R",
    b" Tj",
    b"BT",
    b"ET",
    b"/Encrypt 1 0 R",
)
_mutation = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1 << 30), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 1 << 30), st.just(0)),
    st.tuples(
        st.just("insert"), st.integers(0, 1 << 30), st.sampled_from(_PDF_TOKENS) | st.binary(min_size=1, max_size=32)
    ),
    st.tuples(st.just("delete"), st.integers(0, 1 << 30), st.integers(1, 400)),
    st.tuples(st.just("duplicate"), st.integers(0, 1 << 30), st.integers(1, 400)),
    st.tuples(st.just("number"), st.integers(0, 1 << 30), st.sampled_from([0, 1, -1, 7, 2**31, 10**12, 99999999])),
)
_NUMBER = re.compile(rb"-?\d+")


def _mutate(data: bytes, mutations: list[tuple[str, int, Any]]) -> bytes:
    buf = bytearray(data)
    for kind, where, arg in mutations:
        pos = where % (len(buf) + 1)
        if kind == "flip" and pos < len(buf):
            buf[pos] ^= arg
        elif kind == "truncate":
            del buf[pos:]
        elif kind == "insert":
            buf[pos:pos] = arg
        elif kind == "delete":
            del buf[pos : pos + arg]
        elif kind == "duplicate":
            buf[pos:pos] = buf[pos : pos + arg]
        elif kind == "number":
            numbers = list(_NUMBER.finditer(bytes(buf)))
            if numbers:
                m = numbers[where % len(numbers)]
                buf[m.start() : m.end()] = str(arg).encode()
    return bytes(buf)


@settings(FUZZ, max_examples=200)
@given(variant=st.sampled_from(["compressed", "plain"]), mutations=st.lists(_mutation, min_size=1, max_size=6))
def test_parse_file_on_mutated_real_pdfs(
    scratch: Path, seed_pdfs: dict[str, bytes], variant: str, mutations: list[tuple[str, int, Any]]
) -> None:
    EXAMPLES["pdf_mutated"] += 1
    path = scratch / "mutated.pdf"
    path.write_bytes(_mutate(seed_pdfs[variant], mutations))
    _parsed_or_refused(lambda: parse_file(path, _meta("mutated.pdf")), from_bytes=True)


def test_unmutated_seed_pdfs_parse(scratch: Path, seed_pdfs: dict[str, bytes]) -> None:
    """The fuzz seeds are real text PDFs (else the mutation test would only see garbage)."""
    for variant, data in seed_pdfs.items():
        path = scratch / f"seed-check-{variant}.pdf"
        path.write_bytes(data)
        doc = parse_file(path, _meta(path.name))
        assert doc.pages == 2 and "68 vragen" in doc.text, variant


# --------------------------------------------------------------------------- budgets: bombs and giants


def _pdf(*contents: bytes, pages: int = 1, raw_stream: bytes | None = None) -> bytes:
    """A minimal valid PDF; page i draws content stream i modulo the number of streams (FlateDecode)."""
    streams = [raw_stream] if raw_stream is not None else [zlib.compress(c, 9) for c in contents]
    first_page = 3 + len(streams)
    font = first_page + pages
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        *[b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(d) + d + b"\nendstream" for d in streams],
        *[
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (3 + i % len(streams), font)
            for i in range(pages)
        ],
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _zeros_deflate(mib: int) -> bytes:
    """A zlib stream of ``mib`` MiB of zero bytes (about 1 KB per MiB), built in well under a second."""
    zero = b"\0" * (1 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(zero) + c.flush(zlib.Z_FULL_FLUSH)  # identical for every further MiB
    last = c.flush(zlib.Z_FINISH)
    adler = 1
    for _ in range(mib):
        adler = zlib.adler32(zero, adler)
    return b"\x78\xda" + first + block * (mib - 1) + last + adler.to_bytes(4, "big")


_CHILD = r"""
import json, sys, time
from pathlib import Path
from assistant.errors import DocumentError
from assistant.ingestion.loading import DocumentMeta, parse_file
path, kwargs = Path(sys.argv[1]), json.loads(sys.argv[2])
meta = DocumentMeta(path.name, "bom", "Bom", "publicatie")
started = time.perf_counter()
try:
    doc = parse_file(path, meta, **kwargs)
    result = {"status": "parsed", "chars": len(doc.text), "pages": doc.pages}
except DocumentError as err:
    result = {"status": "refused", "message": str(err)}
result["seconds"] = time.perf_counter() - started
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over exec, so a child of a big pytest
# process (torch loaded) would report the parent's size instead of its own.
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
result["max_rss_mb"] = int(hwm.split()[1]) / 1024
print(json.dumps(result))
"""


def _parse_in_child(path: Path, limit_s: float, **kwargs: Any) -> dict[str, Any]:
    """parse_file in a fresh process, killed after ``limit_s``: a hang fails instead of blocking the suite."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), json.dumps(kwargs)],
            capture_output=True,
            text=True,
            timeout=limit_s,
            cwd=PROJECT_ROOT,
            env=env,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{path.name}: still parsing after {limit_s:.0f} s (no time budget)")
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def test_flate_bomb_pdf_is_refused_in_bounded_time_and_memory(scratch: Path) -> None:
    """1 KB per MiB: a 1 MB file that inflates to 1 GiB must be refused, not inflated."""
    path = scratch / "bomb.pdf"
    path.write_bytes(_pdf(raw_stream=_zeros_deflate(1024)))
    assert path.stat().st_size < 2_000_000
    result = _parse_in_child(path, limit_s=60)
    assert result["status"] == "refused", result
    assert result["seconds"] < 20, result
    assert result["max_rss_mb"] < 600, f"the bomb was inflated in memory: {result}"


@pytest.mark.slow
def test_thousands_of_pages_parse_in_bounded_time(scratch: Path) -> None:
    path = scratch / "pages.pdf"
    # Different words on every page: a line that recurs on many pages is dropped as a running header.
    texts = [
        f"Pagina {i} gaat over {WORDS[i % 10]} en {WORDS[i // 10 % 10]} bij {WORDS[i // 100 % 10]}."
        for i in range(3000)
    ]
    path.write_bytes(_pdf(*[b"BT /F1 10 Tf 50 800 Td (%s) Tj ET\n" % t.encode() for t in texts], pages=3000))
    budget = Settings().parse_timeout_s
    result = _parse_in_child(path, limit_s=budget * 2)
    assert result["status"] == "parsed" and result["pages"] == 3000, result
    assert result["seconds"] < budget, result


def _giant_html(path: Path, megabytes: int) -> Path:
    para = "<p>Een zin over vorming en vrijwilligers in het sociaal-cultureel werk.</p>\n"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("<html><head><title>Groot</title></head><body><main><h1>Titel</h1>\n")
        for _ in range(megabytes * 1_000_000 // len(para) + 1):
            fh.write(para)
        fh.write("</main></body></html>\n")
    return path


@pytest.mark.parametrize("suffix", [".pdf", ".html", ".md"])
def test_files_over_the_size_limit_are_refused_without_reading(scratch: Path, suffix: str) -> None:
    """A 2 GB file (sparse: no disk used) is refused from its size alone, at once."""
    path = scratch / f"huge{suffix}"
    with path.open("wb") as fh:
        fh.write({".pdf": b"%PDF-1.4\n", ".html": b"<html><body><p>", ".md": b"# Titel\n"}[suffix])
        fh.truncate(2_000_000_000)
    max_bytes = int(Settings().max_file_mb * 1_000_000)  # what ingest passes
    started = time.perf_counter()
    with pytest.raises(DocumentError, match="over the limit"):
        parse_file(path, _meta(path.name), max_bytes=max_bytes)
    assert time.perf_counter() - started < 1


def test_giant_html_page_is_refused_by_the_size_limit(scratch: Path) -> None:
    """A real 20 MB page: refused under a 10 MB limit before parsing (parsing it takes about a minute)."""
    path = _giant_html(scratch / "giant.html", 20)
    assert path.stat().st_size > 20_000_000
    max_bytes = int(Settings(max_file_mb=10).max_file_mb * 1_000_000)
    started = time.perf_counter()
    with pytest.raises(DocumentError, match=r"over the limit .*ASSISTANT_MAX_FILE_MB"):
        parse_file(path, _meta("giant.html", "toolbox"), max_bytes=max_bytes)
    assert time.perf_counter() - started < 1


_HAS_TIME_BUDGET = "timeout_s" in inspect.signature(parse_file).parameters


@pytest.mark.skipif(
    not _HAS_TIME_BUDGET,
    reason="parse_file has no time budget yet (settings.parse_timeout_s is unused); see SECURITY.md, known gaps",
)
@pytest.mark.parametrize("case", ["pdf-text-bomb", "pdf-many-pages", "giant-html"])
def test_time_budget_stops_hostile_files(scratch: Path, case: str) -> None:
    """Small files that cost minutes of CPU (30 KB PDF -> 134 s; 320 KB PDF -> 205 s) are cut off."""
    line = b"BT /F1 10 Tf 50 800 Td (Hallo wereld tekst) Tj ET\n"
    if case == "pdf-text-bomb":
        path = scratch / "text-bomb.pdf"
        path.write_bytes(_pdf(line * (10_000_000 // len(line))))
    elif case == "pdf-many-pages":
        path = scratch / "many-pages.pdf"
        path.write_bytes(_pdf(line * (20_000 // len(line)), pages=2000))
    else:
        path = _giant_html(scratch / "giant-timed.html", 20)
    budget = 5.0
    result = _parse_in_child(path, limit_s=budget + 30, timeout_s=budget)
    assert result["status"] == "refused", result
    assert result["seconds"] < budget + 10, result


# --------------------------------------------------------------------------- questions


def _assert_plain_question(cleaned: str, max_chars: int) -> None:
    assert isinstance(cleaned, str) and cleaned
    assert len(cleaned) <= max_chars
    assert cleaned == cleaned.strip() and "  " not in cleaned
    bad = [c for c in cleaned if unicodedata.category(c) in ("Cc", "Cs", "Co")]
    assert not bad, f"control/surrogate characters left in the question: {bad[:5]!r}"
    cleaned.encode("utf-8")  # storable, loggable, sendable as JSON


@settings(FUZZ, max_examples=500)
@given(text=hostile_text, max_chars=st.sampled_from([MAX_CHARS, 1, 5, 80, 3000]))
@example(text="x\ud800 " + "woord " * 100, max_chars=MAX_CHARS)
@example(text="\x1b[31mrood\x1b[0m " + "vraag " * 40, max_chars=MAX_CHARS)
@example(text="\x01\x01\x01" + " " * 100 + "a", max_chars=MAX_CHARS)
def test_clean_question_gives_plain_text_or_question_error(text: str, max_chars: int) -> None:
    EXAMPLES["clean_question"] += 1
    try:
        cleaned = clean_question(text, max_chars)
    except QuestionError as err:
        assert str(err)
        return
    _assert_plain_question(cleaned, max_chars)


@settings(FUZZ, max_examples=300)
@given(text=hostile_text)
@example(text="\x01\x01\x01" + " " * 100 + "a")
def test_clean_question_is_idempotent(text: str) -> None:
    """The web app cleans, ask() cleans again: an accepted question must stay accepted and unchanged."""
    EXAMPLES["clean_question_twice"] += 1
    try:
        once = clean_question(text, MAX_CHARS)
    except QuestionError:
        return
    assert clean_question(once, MAX_CHARS) == once


@settings(FUZZ, max_examples=60)
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text(max_size=5), max_size=3)))
def test_clean_question_refuses_non_text(value: Any) -> None:
    EXAMPLES["clean_question_non_text"] += 1
    with pytest.raises(QuestionError):
        clean_question(value, MAX_CHARS)


HUGE = {
    "words": "vraag over vorming " * 6000,
    "one-word": "é" * 100_000,
    "decomposed": "e\u0301" * 50_000,
    "emoji": "🙂 " * 50_000,
    "zero-width": ("vraag\u200b\u200d\u2060 " * 12_500),
    "bidi": "\u202evraag\u202c " * 15_000,
    "nul": "\x00" * 100_000,
    "binary": bytes(range(256)).decode("latin-1") * 400,
    "few-controls": ("vraag " * 19 + "\x07") * 900,
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_questions_are_cut_or_refused_quickly(name: str) -> None:
    text = HUGE[name]
    assert len(text) >= 100_000
    started = time.perf_counter()
    try:
        cleaned = clean_question(text, MAX_CHARS)
    except QuestionError:
        assert name in ("nul", "binary")
    else:
        assert name not in ("nul", "binary"), "binary input must be refused"
        _assert_plain_question(cleaned, MAX_CHARS)
        assert len(cleaned) > MAX_CHARS // 2, "a long question is cut, not emptied"
    assert time.perf_counter() - started < 2


@pytest.mark.slow
@settings(FUZZ, max_examples=60)
@given(text=hostile_text)
@example(text="x\ud800 " + "Hoeveel vragen kwamen binnen? " * 10)
def test_ask_on_hostile_questions(va: Vraagbaak, text: str) -> None:
    EXAMPLES["ask"] += 1
    _ask_and_check(va, text)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(HUGE))
def test_ask_on_huge_questions(va: Vraagbaak, name: str) -> None:
    started = time.perf_counter()
    _ask_and_check(va, HUGE[name])
    assert time.perf_counter() - started < 30


def _ask_and_check(va: Vraagbaak, text: str) -> None:
    limit = va.settings.max_question_chars
    try:
        answer = va.ask(text)
    except QuestionError as err:
        assert str(err)
        return
    assert answer.question == clean_question(text, limit)
    assert 0 < len(answer.question) <= limit
    assert answer.route in ("answer", "escalate", "decline")
    assert isinstance(answer.text, str) and answer.text.strip()
    json.dumps(answer.to_dict(), ensure_ascii=False).encode("utf-8")  # what the web app and CLI send


# --------------------------------------------------------------------------- the triage form


@pytest.fixture(scope="module")
def triage_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    with Database(f"sqlite:///{tmp_path_factory.mktemp('triage') / 'vraagbaak.db'}") as database:
        yield database


@settings(FUZZ, max_examples=150)
@given(question=hostile_text, name=hostile_text, organisation=hostile_text, comment=hostile_text)
@example(question="vraag \ud800", name="Jan", organisation="Org", comment="ok")
@example(question="vraag", name="Jan \udcff", organisation="\x00", comment="\ud83d")
def test_triage_and_feedback_forms_on_hostile_text(
    triage_db: Database, question: str, name: str, organisation: str, comment: str
) -> None:
    """What the web forms pass on (a JSON body can hold lone surrogates): only the store's own
    error may escape, and what is stored reads back."""
    EXAMPLES["triage_form"] += 1
    store = TriageStore(triage_db)
    try:
        request = store.create_request(
            question=question,
            requester_name=name,
            email="iemand@voorbeeld.be",
            organisation=organisation,
            org_type="erkend",
            consent=True,
            conversation=[{"role": "user", "content": question}],
            answer=comment,
        )
    except VraagbaakError as err:
        assert str(err)
    else:
        assert store.get(request.reference) == request
        if comment.strip():
            try:
                store.add_note(request.reference, comment, by="medewerker")
            except VraagbaakError as err:
                assert str(err)
    try:
        FeedbackStore(triage_db).record(question=question, answer=comment, rating=-1, comment=comment)
    except VraagbaakError as err:
        assert str(err)
