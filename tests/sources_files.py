"""Files for the sources tests: real PDFs (text, encrypted, scanned-only), a Windows program, an Office file."""

from __future__ import annotations

import struct
from pathlib import Path

from conftest import make_pdf


def encrypted_pdf(path: Path, text: str = "Geheime tekst over vrijwilligers.") -> Path:
    """A text PDF that needs a password to open (RC4-128, pypdf's own implementation)."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_name(path.stem + "-plain.pdf"), [text])
    writer = PdfWriter(clone_from=PdfReader(str(plain)))
    writer.encrypt("geheim-wachtwoord", algorithm="RC4-128")
    with path.open("wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def scanned_pdf(path: Path) -> Path:
    """A PDF whose pages hold only an image (a scan without a text layer)."""
    import matplotlib

    matplotlib.use("Agg")
    import numpy as np
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    rng = np.random.default_rng(7)
    with PdfPages(path) as pdf:
        for _ in range(2):
            fig = Figure(figsize=(8.27, 11.69))
            fig.figimage(rng.random((200, 150)), xo=50, yo=50)
            pdf.savefig(fig)
    return path


def windows_exe(path: Path) -> Path:
    """The first bytes of a real PE executable (MZ header, PE signature), then padding."""
    header = bytearray(b"MZ" + b"\x90\x00" + b"\x00" * 56)
    header[0x3C:0x40] = struct.pack("<I", 0x80)
    body = bytes(header) + b"\x00" * (0x80 - len(header)) + b"PE\x00\x00" + b"\x4c\x01" + b"\x00" * 2000
    path.write_bytes(body)
    return path


def docx_like(path: Path) -> Path:
    """A ZIP container, as .docx files are."""
    import zipfile

    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("word/document.xml", "<w:document>tekst</w:document>")
    return path
