"""Safe HTML pieces for the pages ``workbook`` writes (feedback and report).

Everything a student wrote or printed goes through here: text is escaped, images are kept
only if they decode as PNG or JPEG, HTML and SVG outputs are never inserted, lines of hidden
tests are dropped, long outputs are folded. Markdown math (``$...$``, ``$$...$$``) becomes
MathML when the page is built, so pages need no script and no internet to show it.
"""

import base64
import binascii
import html
import re

import mistune
from latex2mathml.converter import convert as latex_to_mathml

__all__ = ["FOLD_LINES", "fold", "image", "markdown", "plain", "scrub"]

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FOLD_LINES = 30
MAGIC = {"image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}
_markdown = mistune.create_markdown(escape=True, plugins=["table", "strikethrough"])

TOKEN = "zqmath{}qz"
TOKENS = re.compile(r"zqmath(\d+)qz")
SPECIAL = re.compile(r"[`$\\]")
MATH_CHARS = 4000     # a formula longer than this is shown as written

MATHML_TAGS = {
    "math", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "mfenced", "merror", "mmultiscripts",
    "mprescripts", "none", "semantics", "annotation",
}
MATHML_ATTRIBUTES = {
    "xmlns", "display", "accent", "accentunder", "stretchy", "linebreak", "mathvariant",
    "fence", "separator", "lspace", "rspace", "columnalign", "rowspacing", "columnspacing",
    "width", "height", "depth", "notation", "minsize", "maxsize", "movablelimits", "form",
    "displaystyle", "scriptlevel", "open", "close", "separators", "linethickness",
    "columnlines", "rowlines", "frame", "symmetric", "largeop", "encoding",
}
TAG = re.compile(r"<(/?)([a-zA-Z]+)((?:\s+[a-zA-Z:-]+=\"[^\"<>]*\")*)\s*(/?)>")
ATTRIBUTE = re.compile(r"([a-zA-Z:-]+)=\"([^\"<>]*)\"")


def plain(text):
    """``text`` as a string without terminal colour codes."""
    if isinstance(text, list):
        text = "".join(text)
    return ANSI.sub("", str(text))


LONG_SECRET = 12     # a secret line this long is dropped wherever it appears in a line


def scrub(text, secrets):
    """``text`` without the lines that equal (stripped) a line of ``secrets``, or that hold a
    long one anywhere (as ``print(In)`` prints a whole cell on one line, ``\\n`` escaped)."""
    if not secrets:
        return text
    long = [secret for secret in secrets if len(secret) >= LONG_SECRET]
    return "\n".join(line for line in text.split("\n") if not _leaks(line, secrets, long))


def _leaks(line, secrets, long):
    for piece in line.replace("\\n", "\n").split("\n"):
        piece = piece.strip()
        if piece and (piece in secrets or piece.strip("'\",[] ") in secrets):
            return True
    return any(secret in line for secret in long)


def fold(text, css="", summary="output"):
    """``text`` in a ``<pre>``; inside a closed ``<details>`` if longer than FOLD_LINES."""
    cls = f" class='{css}'" if css else ""
    block = f"<pre{cls}>{html.escape(text)}</pre>"
    lines = text.count("\n") + 1
    if lines <= FOLD_LINES:
        return block
    return (f"<details><summary>{html.escape(summary)}: {lines} lines "
            f"(click to show)</summary>{block}</details>")


def image(mime, data):
    """An ``<img>`` for base64 ``data`` if it decodes as the ``mime`` it claims, else None."""
    if mime not in MAGIC or not isinstance(data, str | list):
        return None
    text = "".join(data) if isinstance(data, list) else data
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None
    if not raw.startswith(MAGIC[mime]):
        return None
    encoded = base64.b64encode(raw).decode("ascii")
    return f"<img alt='figure' src='data:{mime};base64,{encoded}'>"


def markdown(text, limit=None):
    """Markdown to HTML with the student's HTML escaped and LaTeX math as MathML.

    Linear in the length of ``text``; a text longer than ``limit`` characters is shown as
    plain text instead (a markdown parser spends tens of microseconds per character on some
    inputs).
    """
    text = plain(text)
    if limit is not None and len(text) > limit:
        return ("<p class='note'>(text too long to format, shown as written)</p>"
                + fold(text, summary="text"))
    found = []
    rendered = _markdown(_protect_math(text, found))
    return TOKENS.sub(lambda m: math(*found[int(m.group(1))]) if int(m.group(1)) < len(found)
                      else m.group(0), rendered)


def _protect_math(text, found):
    """``text`` with each formula replaced by a token (its TeX appended to ``found``), code
    spans left alone: ``$$...$$``, ``\\[...\\]`` and ``$...$`` (no space inside its ends, not
    glued to a word), scanned once from left to right."""
    out, i, closed = [], 0, {"$$": True, "\\[": True}
    while (match := SPECIAL.search(text, i)) is not None:
        start = match.start()
        out.append(text[i:start])
        i, piece = _span(text, start, closed, found)
        out.append(piece)
    out.append(text[i:])
    return "".join(out)


def _span(text, i, closed, found):
    """``(next position, text to keep)`` for the special character at ``i``."""
    def token(tex, display, end):
        found.append((tex, display))
        return end, TOKEN.format(len(found) - 1)

    if text.startswith("```", i):
        end = text.find("```", i + 3)
        return (len(text), text[i:]) if end < 0 else (end + 3, text[i:end + 3])
    if text[i] == "`":
        end, line = text.find("`", i + 1), text.find("\n", i + 1)
        if end > i + 1 and (line < 0 or end < line):
            return end + 1, text[i:end + 1]
        return i + 1, "`"
    for opener, closer in (("$$", "$$"), ("\\[", "\\]")):
        if text.startswith(opener, i):
            end = text.find(closer, i + 3) if closed[opener] else -1
            if end < 0:            # no closer after this one: none after any later one either
                closed[opener] = False
                return i + 2, opener
            return token(text[i + 2:end], True, end + 2)
    if text[i] == "$" and not (i and (text[i - 1] in "\\$" or text[i - 1].isalnum()
                                      or text[i - 1] == "_")):
        end = text.find("$", i + 1)
        inside = text[i + 1:end] if end > i + 1 else ""
        after = text[end + 1:end + 2] if end > 0 else ""
        if (inside and not inside[0].isspace() and inside[-1] != "\\"
                and not (after.isalnum() or after in ("_", "$"))):
            return token(inside, False, end + 1)
    return i + 1, text[i]


def math(tex, display=False):
    """MathML for ``tex``, sanitized; the escaped source if it cannot be converted."""
    if len(tex) > MATH_CHARS:
        return f"<code>{html.escape(tex)}</code>"
    try:
        mathml = latex_to_mathml(tex.strip(), display="block" if display else "inline")
    except Exception:  # noqa: BLE001  (any LaTeX it cannot read is shown as written)
        return f"<code>{html.escape(tex)}</code>"
    return sanitize_mathml(mathml)


def sanitize_mathml(mathml):
    """Only MathML elements and attributes survive; all text is escaped afresh."""
    out, position = [], 0
    for match in TAG.finditer(mathml):
        out.append(_text(mathml[position:match.start()]))
        closing, name, attributes, empty = match.groups()
        if name not in MATHML_TAGS:
            out.append(html.escape(match.group(0)))
        else:
            kept = "".join(f' {key}="{html.escape(html.unescape(value))}"'
                           for key, value in ATTRIBUTE.findall(attributes)
                           if key in MATHML_ATTRIBUTES)
            out.append(f"<{closing}{name}{kept}{' /' if empty else ''}>")
        position = match.end()
    out.append(_text(mathml[position:]))
    return "".join(out)


def _text(text):
    return html.escape(html.unescape(text))
