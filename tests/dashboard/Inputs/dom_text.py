"""Reads a dumped DOM on stdin and prints the text of <main>: one line per table row, heading,
paragraph or log line, cells joined by " | ". Scripts and styles are skipped."""
import html.parser
import sys

BLOCK = {"tr", "h1", "h2", "h3", "h4", "p", "li", "section", "div", "pre", "table"}


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <main>
        self.skip = 0
        self.line = []
        self.lines = []

    def flush(self):
        text = " ".join("".join(self.line).split())
        if text:
            self.lines.append(text)
        self.line = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "main":
            self.depth += 1
        if tag in ("script", "style"):
            self.skip += 1
        if tag == "body" and a.get("data-ready"):
            self.lines.append("ready=" + a["data-ready"])
        if self.depth and tag in ("td", "th") and self.line:
            self.line.append(" | ")
        if self.depth and tag in ("tr", "h1", "h2", "h3", "h4", "p", "pre", "li") or (tag == "span" and "l" in (a.get("class") or "").split()):
            self.flush()
        if self.depth and tag == "iframe":
            self.flush()
            self.lines.append("iframe " + a.get("src", ""))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if self.depth and tag in BLOCK:
            self.flush()
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.line.append(data)


p = Text()
p.feed(sys.stdin.read())
p.flush()
print("\n".join(p.lines))
