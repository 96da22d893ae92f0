"""Tokenizer and recursive-descent parser for the expression language.

The grammar is in ``docs/form-definitions.md`` section 8.5. Errors raise
:class:`ExprSyntaxError` carrying the character offset where parsing failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from npc_crf.forms.expr.ast import (
    Binary,
    Call,
    CrossRef,
    Expr,
    InList,
    ItemRef,
    Literal,
    SelfRef,
    Unary,
)

KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
OCCURRENCE_WORDS = ("first", "last", "prev")


class ExprSyntaxError(Exception):
    """An expression that does not follow the grammar; ``pos`` is the offset."""

    def __init__(self, message: str, pos: int) -> None:
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is NUM, STR, NAME, OP or END."""

    kind: str
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><=|>=|!=|[=<>+\-*/(),.@\[\]])
    """,
    re.VERBOSE,
)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with an END token."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if not match:
            char = text[pos]
            if char in "'\"":
                raise ExprSyntaxError("text is not closed: missing quote", pos)
            raise ExprSyntaxError(f"unexpected character '{char}'", pos)
        kind = match.lastgroup
        assert kind is not None
        if kind != "ws":
            tokens.append(Token(kind.upper(), match.group(), pos))
        pos = match.end()
    tokens.append(Token("END", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def at(self, text: str) -> bool:
        return self.tok.kind in ("OP", "NAME") and self.tok.text == text

    def expect(self, text: str) -> Token:
        if not self.at(text):
            raise ExprSyntaxError(
                f"expected '{text}' but found {self.describe(self.tok)}", self.tok.pos
            )
        return self.advance()

    @staticmethod
    def describe(token: Token) -> str:
        return "the end of the expression" if token.kind == "END" else f"'{token.text}'"

    def unexpected(self, token: Token) -> str:
        """``unexpected 'x'``, or that the expression ends too early."""
        if token.kind == "END":
            return "the expression ends too early: the end of the expression"
        return f"unexpected '{token.text}'"

    def parse(self) -> Expr:
        if self.tok.kind == "END":
            raise ExprSyntaxError("empty expression", 0)
        node = self.or_expr()
        if self.tok.kind != "END":
            raise ExprSyntaxError(self.unexpected(self.tok), self.tok.pos)
        return node

    def or_expr(self) -> Expr:
        node = self.and_expr()
        while self.at("or"):
            pos = self.advance().pos
            node = Binary(pos, "or", node, self.and_expr())
        return node

    def and_expr(self) -> Expr:
        node = self.not_expr()
        while self.at("and"):
            pos = self.advance().pos
            node = Binary(pos, "and", node, self.not_expr())
        return node

    def not_expr(self) -> Expr:
        if self.at("not"):
            pos = self.advance().pos
            return Unary(pos, "not", self.not_expr())
        return self.comparison()

    def comparison(self) -> Expr:
        node = self.additive()
        if self.tok.kind == "OP" and self.tok.text in ("=", "!=", "<", "<=", ">", ">="):
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.additive())
        elif self.at("in"):
            pos = self.advance().pos
            self.expect("(")
            options = [self.or_expr()]
            while self.at(","):
                self.advance()
                options.append(self.or_expr())
            self.expect(")")
            node = InList(pos, node, tuple(options))
        if self.tok.kind == "OP" and self.tok.text in ("=", "!=", "<", "<=", ">", ">="):
            raise ExprSyntaxError(
                "comparisons cannot be chained; join them with 'and'", self.tok.pos
            )
        return node

    def additive(self) -> Expr:
        node = self.term()
        while self.tok.kind == "OP" and self.tok.text in ("+", "-"):
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.unary()
        while self.tok.kind == "OP" and self.tok.text in ("*", "/"):
            token = self.advance()
            node = Binary(token.pos, token.text, node, self.unary())
        return node

    def unary(self) -> Expr:
        if self.at("-"):
            pos = self.advance().pos
            return Unary(pos, "-", self.unary())
        return self.primary()

    def primary(self) -> Expr:
        token = self.tok
        if token.kind == "NUM":
            self.advance()
            return Literal(token.pos, Decimal(token.text))
        if token.kind == "STR":
            self.advance()
            return Literal(token.pos, token.text[1:-1])
        if token.kind == "OP":
            if token.text == "(":
                self.advance()
                node = self.or_expr()
                self.expect(")")
                return node
            if token.text == ".":
                self.advance()
                return SelfRef(token.pos)
            if token.text == "@":
                return self.cross_ref()
            raise ExprSyntaxError(self.unexpected(token), token.pos)
        if token.kind == "NAME":
            return self.name_expr()
        raise ExprSyntaxError(self.unexpected(token), token.pos)

    def name_expr(self) -> Expr:
        token = self.advance()
        word = token.text
        if word in ("true", "false"):
            return Literal(token.pos, word == "true")
        if word == "null":
            return Literal(token.pos, None)
        if word in KEYWORDS:
            raise ExprSyntaxError(f"'{word}' needs a value before it", token.pos)
        if self.at("("):
            self.advance()
            args: list[Expr] = []
            if not self.at(")"):
                args.append(self.or_expr())
                while self.at(","):
                    self.advance()
                    args.append(self.or_expr())
            self.expect(")")
            return Call(token.pos, word, tuple(args))
        if self.at("."):
            self.advance()
            column = self.name()
            if self.at("."):
                raise ExprSyntaxError(
                    "a same-form reference has at most two parts (GROUP.ITEM); "
                    "write @FORM.ITEM or @EVENT.FORM.ITEM for other forms",
                    self.tok.pos,
                )
            return ItemRef(token.pos, word, column.text)
        return ItemRef(token.pos, word)

    def name(self) -> Token:
        if self.tok.kind != "NAME" or self.tok.text in KEYWORDS:
            raise ExprSyntaxError(
                f"expected a name but found {self.describe(self.tok)}", self.tok.pos
            )
        return self.advance()

    def cross_ref(self) -> Expr:
        at = self.advance()
        head = self.name()
        occurrence: str | int | None = None
        if self.at("["):
            self.advance()
            occ = self.tok
            if occ.kind == "NUM" and occ.text.isdigit() and int(occ.text) >= 1:
                occurrence = int(occ.text)
            elif occ.kind == "NAME" and occ.text in OCCURRENCE_WORDS:
                occurrence = occ.text
            else:
                raise ExprSyntaxError(
                    "an occurrence is first, last, prev or a number from 1", occ.pos
                )
            self.advance()
            self.expect("]")
        parts: list[str] = []
        while self.at("."):
            self.advance()
            parts.append(self.name().text)
        if not parts:
            raise ExprSyntaxError(
                "a reference to another form needs FORM.ITEM after '@'", self.tok.pos
            )
        if len(parts) > 3:
            raise ExprSyntaxError("too many parts in the reference", at.pos)
        return CrossRef(at.pos, head.text, occurrence, tuple(parts))


def parse(text: str) -> Expr:
    """Parse an expression; raises :class:`ExprSyntaxError` with the offset."""
    return _Parser(text).parse()
