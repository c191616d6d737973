"""The values a browser would submit for a form, read from HTML: for tests and bench/two_servers.py."""

from html.parser import HTMLParser


class FormReader(HTMLParser):
    """The values a browser would submit for one form (inputs, checked boxes, textareas, selects)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = attributes.get("id") == self.form_id
        if not self.inside:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = (attributes.get("type") or "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in attributes:
                    self.data.append((name, attributes.get("value") or "on"))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.data.append((name, attributes.get("value") or ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attributes.get("value") or "", "selected" in attributes))

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            self.data.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select is not None:
            self.data += [(self._select, value) for value, selected in self._options if selected]
            self._select = None


def form_values(html: str, form_id: str) -> dict[str, list[str]]:
    reader = FormReader(form_id)
    reader.feed(html)
    values: dict[str, list[str]] = {}
    for name, value in reader.data:
        values.setdefault(name, []).append(value)
    return values
