"""Share one scanner among the states of Lark's contextual lexer.

Lark's contextual lexer gives each parser state a scanner of the terminals
that the state accepts, and compiles the combined regular expression of each
scanner the first time its state is reached.  Parsing one file reaches some
seventy states, and compiling their scanners took twice as long as parsing
the file.  `share_scanner` makes every state use one scanner of all
terminals, compiled once, and gives the same tokens as the state's own.

Why that is exact: a scanner tries its terminals in one order (Lark sorts
them by priority, width and name) and takes the first that matches.  When
the first match among all terminals is one that the state accepts, no
terminal before it matched, so the state's own scanner takes it too.  When
it is not, the state's terminals are tried one by one, in that order.

Keywords need care.  Lark leaves a keyword out of a scanner when a regular
terminal of the same priority, such as a name, matches the keyword whole.  A
token of that terminal is then renamed if its text is the keyword.  A
state that accepts a keyword but no terminal that matches it keeps the
keyword in its own scanner, so the shared scanner's token is right only if
no such keyword earlier in the order matches too.  A renamed token keeps its new name
only if the state accepts the keyword.
"""

from __future__ import annotations

import functools

from lark.lexer import ContextualLexer, PatternStr


class _Shared:
    """The scanner of all terminals, and what the states need to use it."""

    def __init__(self, root):
        self.root = root
        self.order = {t.name: i for i, t in enumerate(root.terminals)}
        self.flags = root.g_regex_flags
        self.re = root.re
        self._ready = False
        self._patterns: dict = {}
        self.scanner = None
        self.renames: dict = {}
        # for each keyword, the regular terminals that leave it out of a scanner
        self.embedders: dict[str, frozenset] = {}

    def ready(self) -> None:
        if self._ready:
            return
        self.scanner = self.root.scanner  # builds `root.callback` too
        self.renames = dict(self.root.callback)
        regular = {t.name: t for t in self.root.terminals}
        for kind, rename in self.renames.items():
            for keyword in rename.scanner.terminals:
                if keyword.pattern.flags <= regular[kind].pattern.flags:
                    self.embedders[keyword.name] = \
                        self.embedders.get(keyword.name, frozenset()) | {kind}
        self._ready = True

    def pattern(self, terminal):
        """Return the compiled pattern of one terminal."""
        found = self._patterns.get(terminal.name)
        if found is None:
            found = self.re.compile(terminal.pattern.to_regexp(), self.flags)
            self._patterns[terminal.name] = found
        return found


class _StateScanner:
    """The scanner of one parser state, which consults the shared scanner first."""

    __slots__ = ("shared", "names", "alternatives", "own_keywords", "allowed_types")

    def __init__(self, shared: _Shared, terminals: list):
        self.shared = shared
        self.names = frozenset(t.name for t in terminals)
        embedded = {t.name for t in terminals if isinstance(t.pattern, PatternStr)
                    and shared.embedders.get(t.name, frozenset()) & self.names}
        # the state's own terminals in its scanner's order
        self.alternatives = [t for t in terminals if t.name not in embedded]
        self.allowed_types = {t.name for t in self.alternatives}
        # keywords that only this state's scanner tries, with their place in the order
        self.own_keywords = [(shared.order[t.name], t.pattern.value, t.name) for t in self.alternatives
                     if t.name in shared.embedders]

    def match(self, text, pos):
        found = self.shared.scanner.match(text, pos)
        if found is not None and found[1] in self.names:
            place = self.shared.order[found[1]]
            for keyword_place, value, name in self.own_keywords:
                if keyword_place < place and text.text.startswith(value, pos, text.end):
                    return value, name
            return found
        for terminal in self.alternatives:
            m = self.shared.pattern(terminal).match(text.text, pos, text.end)
            if m:
                return m.group(0), terminal.name
        return None


class _RenameAccepted:
    """Rename a token to the keyword it spells, if the state accepts that keyword."""

    __slots__ = ("rename", "names", "kind")

    def __init__(self, rename, names: frozenset, kind: str):
        self.rename = rename
        self.names = names
        self.kind = kind

    def __call__(self, token):
        token = self.rename(token)
        if token.type not in self.names:
            token.type = self.kind
        return token


def share_scanner(lexer) -> None:
    """Make the states of the contextual `lexer` use one scanner of all terminals."""
    if not isinstance(lexer, ContextualLexer) or lexer.root_lexer.user_callbacks:
        return
    shared = _Shared(lexer.root_lexer)
    for state_lexer in {id(x): x for x in lexer.lexers.values()}.values():
        state_lexer._build_scanner = functools.partial(_state_scanner, state_lexer, shared)


def _state_scanner(state_lexer, shared: _Shared) -> _StateScanner:
    shared.ready()
    scanner = _StateScanner(shared, state_lexer.terminals)
    state_lexer.callback = {kind: _RenameAccepted(rename, scanner.names, kind)
                            for kind, rename in shared.renames.items() if kind in scanner.names}
    return scanner
