"""Readable diffs of a reviewer's edit (difflib, by character: Chinese text
has no spaces to split words on)."""
from difflib import SequenceMatcher


def text_diff(before: str, after: str) -> list[dict]:
    """``before`` → ``after`` as runs ``{"op": "equal"|"delete"|"insert", "text": str}``
    in reading order (a replacement is a deletion then an insertion)."""
    runs: list[dict] = []
    matcher = SequenceMatcher(None, before or "", after or "", autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            runs.append({"op": "equal", "text": before[i1:i2]})
            continue
        if tag in ("delete", "replace"):
            runs.append({"op": "delete", "text": before[i1:i2]})
        if tag in ("insert", "replace"):
            runs.append({"op": "insert", "text": after[j1:j2]})
    return runs


def plain_diff(before: str, after: str) -> str:
    """The same diff as plain text for the archive and e-mail: [-deleted-]{+inserted+}."""
    parts = []
    for run in text_diff(before, after):
        if run["op"] == "delete":
            parts.append("[-%s-]" % run["text"])
        elif run["op"] == "insert":
            parts.append("{+%s+}" % run["text"])
        else:
            parts.append(run["text"])
    return "".join(parts)
