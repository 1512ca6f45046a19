"""Typecheck of the prelude's `Result<T, E>`, mixed into the checker of `sxc.typecheck`.

`Result` is a generic enum of the prelude, like `Option`, so constructors,
patterns and most methods are those of `sxc.typecheck_enum`.  This mixin adds
what Rust gives `Result` beyond an enum: `unwrap` and `expect` checked at the
call, `?` that returns the error, the `Result` of `s.parse()`, a `main` that
returns a `Result`, and tuple variants passed as functions (`.map(Some)`).
"""

from __future__ import annotations

from sxc import ast
from sxc import types as T
from sxc.typecheck_enum import _borrow, _let


class ResultChecks:
    """Methods of `Checker` for `Result`."""

    def variant_function(self, arg: ast.Expr) -> ast.Expr:
        """Return `|x| Some(x)` for a method argument that names a tuple variant as a
        function value, as in `.map(Some)`; return other arguments unchanged."""
        if not isinstance(arg, ast.Path) or getattr(arg, "checked", False) or \
                (len(arg.segments) == 1 and self.lookup(arg.segments[0]) is not None):
            return arg
        found = self.resolve_variant(arg.segments)
        if found is None or found[0] in ("error", "default"):
            return arg
        enum, variant = found
        edef = self.program.enums.get(enum) or self.generic_enums[enum]
        kind, payload = edef.payloads.get(variant, ("unit", []))
        if kind != "tuple":
            return arg
        span = arg.span
        names = [self._fresh_name("item") for _ in payload]
        call = ast.Call(span, ast.Path(span, list(arg.segments)),
                        [ast.Path(span, [n]) for n in names])
        return ast.Closure(span, [(n, None) for n in names], None, call)

    def result_method(self, e: ast.MethodCall, base: T.EnumT, expected) -> ast.Expr | None:
        """Check `unwrap`, `expect`, `unwrap_err` and `expect_err` of a `Result`.

        Each becomes a `match` at the call, so that the panic names the caller's line,
        and prints the other variant's payload with `{:?}` after Rust's message.
        Return None for the prelude's methods.
        """
        span = e.span
        form = {"unwrap": ("Ok", 0), "expect": ("Ok", 1),
                "unwrap_err": ("Err", 0), "expect_err": ("Err", 1)}.get(e.method)
        if form is None or len(e.args) != form[1]:
            return None
        keep, _count = form
        other = "Err" if keep == "Ok" else "Ok"
        at = e.method_span or span
        value, payload = self._fresh_name("value"), self._fresh_name("payload")
        if e.method in ("unwrap", "unwrap_err"):
            text = f"called `Result::{e.method}()` on an `{other}` value: {{:?}}"
            panic = ast.MacroCall(at, "panic", [ast.StrLit(at, text), ast.Path(at, [payload])])
        else:
            panic = ast.MacroCall(at, "panic", [ast.StrLit(at, "{}: {:?}"), e.args[0],
                                                ast.Path(at, [payload])])
        arms = [ast.MatchArm(span, ast.VariantPattern(span, [base.enum, keep],
                                                      [ast.NamePattern(span, value)]),
                             None, ast.Path(span, [value])),
                ast.MatchArm(span, ast.VariantPattern(span, [base.enum, other],
                                                      [ast.NamePattern(span, payload)]),
                             None, panic)]
        e.receiver.checked = True
        match = ast.Match(span, e.receiver, arms)
        match.let_form = "derived"
        return self.expr(match, None)

    def result_args(self, t: T.Type) -> tuple | None:
        """Return (T, E) when `t` is the prelude's `Result<T, E>`, else None."""
        if not isinstance(t, T.EnumT):
            return None
        generic, args = self.instance_of.get(t.enum, (None, None))
        return args if generic == self.program.prelude_key("Result") else None

    def parse_hint(self, method: str, expected) -> T.Type | None:
        """Return what a call of `method` on `s.parse()` expects of that call, so that
        `let n: i64 = s.parse().unwrap_or(0);` and `s.parse().map_err(..)?` parse into
        the type that the context expects."""
        if expected is None or isinstance(expected, T.NeverT):
            return None
        if method in ("unwrap_or", "unwrap_or_default", "unwrap_or_else"):
            return expected if isinstance(expected, T.ParseResultT) else \
                T.ParseResultT(expected)
        if method == "ok" and isinstance(expected, T.EnumT):
            # `.filter_map(|s| s.parse().ok())` collected into a `Vec<i64>`
            generic, args = self.instance_of.get(expected.enum, (None, None))
            if generic == "Option":
                return T.ParseResultT(args[0])
        if method in ("map_err", "or_else"):
            if isinstance(expected, T.ParseResultT):
                return expected
            args = self.result_args(expected)
            if args is not None:
                return T.ParseResultT(args[0])
        return None

    def parse_result(self, value: ast.Expr) -> ast.Expr:
        """Turn a checked `s.parse::<T>()` into a value of `Result<T, ParseIntError>`,
        `ParseFloatError` or `ParseBoolError`, as the target type has it.

        Every `parse` call becomes this `Result` where it is checked, except the
        receiver of `unwrap`, `ok`, `is_ok`, `is_err`, `unwrap_or` and
        `unwrap_or_default`, which read the parsed value and the flag directly (see
        `read_directly`).  The result of `fs::read_to_string` is reported here.
        """
        span = value.span
        if value.ty.value == T.STRING:
            self.rep.error("sxc supports the result of `fs::read_to_string` only with "
                           "`unwrap` or `expect`", span,
                           help="call `.unwrap()` or `.expect(\"..\")` on it", code="SX0802")
            value.ty = T.NEVER
            return value
        # every other value of this type is a `parse` call, which `read_directly` kept
        target = value.ty.value
        text = self._fresh_name("text")
        stmts = [_let(span, text, _borrow(value.receiver))]
        radix = None
        if getattr(value, "from_radix", False):
            # `from_str_radix`: the base, read once, decides the digits and the error
            radix = self._fresh_name("radix")
            value.args[0].checked = True
            stmts.append(_let(span, radix, value.args[0]))
        if T.is_float(target):
            error: ast.Expr = ast.Call(span, ast.Path(span, ["__parse_float_error"]),
                                       [ast.Path(span, [text])])
            error_type = "ParseFloatError"
        elif T.is_int(target):
            signed = ast.BoolLit(span, bool(target.signed))
            error = ast.Call(span, ast.Path(span, ["__parse_int_error"]),
                             [ast.Path(span, [text]), signed])
            if radix is not None:
                error = ast.Call(span, ast.Path(span, ["__parse_int_error_radix"]),
                                 [ast.Path(span, [text]), signed, ast.Path(span, [radix])])
            error_type = "ParseIntError"
        else:
            error_type = "ParseBoolError"
            error = ast.Path(span, [self.program.prelude_key(error_type)])
        result = self.instantiate_enum(
            self.program.prelude_key("Result"),
            (target, T.StructT(self.program.prelude_key(error_type))), span)
        if not isinstance(result, T.EnumT):
            value.ty = T.NEVER
            return value
        parsed = ast.MethodCall(span, ast.Path(span, [text]), "parse",
                                [ast.Path(span, [radix])] if radix is not None else [],
                                [ast.ResolvedType(span, target)], value.method_span)
        parsed.from_radix = radix is not None
        ok = ast.MethodCall(span, parsed, "ok", [], [], value.method_span)
        item = self._fresh_name("value")
        arms = [ast.MatchArm(span, ast.VariantPattern(span, ["Some"],
                                                      [ast.NamePattern(span, item)]),
                             None, ast.Call(span, ast.Path(span, ["Ok"]),
                                            [ast.Path(span, [item])])),
                ast.MatchArm(span, ast.WildPattern(span), None,
                             ast.Call(span, ast.Path(span, ["Err"]), [error]))]
        match = ast.Match(span, ok, arms)
        match.let_form = "derived"
        block = ast.Block(span, stmts, match)
        return self.expr(block, result)

    def _try_result(self, e: ast.Try, value: ast.Expr, expected) -> ast.Expr:
        """Check `value?` on a `Result` in a function that returns a `Result` with the
        same error type, because sxc has no `From` conversion of the error."""
        span = e.span
        _ok, error = self.result_args(value.ty)
        label = getattr(e, "closure_label", None)
        if label is None:
            returned = self.result_args(self.ret_type)
        else:
            # in a closure, `?` leaves the closure's labelled block, whose type the
            # first `break` out of it decides; until then the error passes unchanged
            earlier = self.loops[self.loop_index(label)]
            prior = next((t for t in earlier if t is not None), None)
            returned = (self.result_args(prior) if prior is not None else None) or \
                (None, error)

        if returned is None:
            self.rep.error("the `?` operator can only be used on `Result`s in a function "
                           "that returns `Result`", span,
                           help=f"this function returns `{self.ret_type}`; match on the value, "
                                "or call `.unwrap()` or `.expect(\"..\")`", code="SX0301")
            e.ty = T.NEVER
            return e
        from sxc.typecheck import _holds_trait_object

        convert = None
        if returned[1] != error and not _holds_trait_object(returned[1]):
            # (a `Box<dyn Error>` takes any error, as the `Err` coerces it)
            convert = self.error_conversion(returned[1], error, span)
            if convert is None:
                self.rep.error(f"`?` couldn't convert the error to `{returned[1]}`", span,
                               notes=[(f"this value's error type is `{error}`", value.span)],
                               help=(f"write `impl From<{error}> for {returned[1]}`, or "
                                     if isinstance(T.prune(returned[1]), (T.StructT, T.EnumT))
                                     else "") + "convert the error before the `?`, as in "
                                    "`.map_err(|e| e.to_string())?` for a `String`",
                               code="SX0802")
                e.ty = T.NEVER
                return e

        # `value?` is `match value { Ok(v) => v, Err(e) => return Err(e) }`, with
        # `Err(Target::from(e))` when an `impl From` converts the error
        value_name, error_name = self._fresh_name("value"), self._fresh_name("error")
        value.checked = True
        raised: ast.Expr = ast.Path(span, [error_name])
        if convert is not None:
            raised = ast.Call(span, ast.Path(span, list(convert)), [raised])
        raised = ast.Call(span, ast.Path(span, ["Err"]), [raised])
        stop = ast.Return(span, raised) if label is None else ast.Break(span, label, raised)
        arms = [ast.MatchArm(span, ast.VariantPattern(span, ["Ok"],
                                                      [ast.NamePattern(span, value_name)]),
                             None, ast.Path(span, [value_name])),
                ast.MatchArm(span, ast.VariantPattern(span, ["Err"],
                                                      [ast.NamePattern(span, error_name)]),
                             None, stop)]
        match = ast.Match(span, value, arms)
        match.let_form = "derived"
        return self.expr(match, expected)


    def error_conversion(self, target: T.Type, error: T.Type, span) -> tuple | None:
        """Return the path of the `from` of `impl From<error> for target`, or None."""
        target = T.prune(target)
        if not isinstance(target, (T.StructT, T.EnumT)):
            return None
        owner = target.name()
        if owner not in self.structs and owner not in self.program.enums or \
                not self.operator_methods(owner, "from"):
            return None
        probe = ast.Path(span, ["__error"])
        probe.ty = error
        chosen = self.operator_method(owner, "from", probe)
        return (owner, chosen) if chosen is not None else None


MAIN_RESULT = "__main_result"


def split_result_main(program) -> None:
    """Turn `fn main() -> Result<(), E>` into a `main` that calls the user's body.

    As in Rust, an `Err` ends the program with `Error: ` and the error's `{:?}`
    on stderr and exit status 1.  The body moves to `__main_result`, so the
    type checker checks a `main` that returns `()`.
    """
    main = program.functions.get("main")
    ret = getattr(main, "ret", None)
    if main is None or getattr(main, "origin", "user") != "user" or \
            not isinstance(ret, ast.NamedType) or ret.path[-1] != "Result" or \
            "fmt" in ret.path or "Result" in program.shadowed_prelude or \
            MAIN_RESULT in program.functions:
        return
    if len(ret.args) != 2 or not isinstance(ret.args[0], ast.TupleType) or ret.args[0].items:
        return  # the check of `main`'s signature reports it
    span = main.span
    del program.functions["main"]
    main.name = MAIN_RESULT
    program.functions[MAIN_RESULT] = main
    error = "__main_error"
    report = ast.MacroCall(span, "eprintln", [ast.StrLit(span, "Error: {:?}"),
                                              ast.Path(span, [error])])
    stop = ast.Call(span, ast.Path(span, ["std", "process", "exit"]), [ast.IntLit(span, 1)])
    failed = ast.Block(span, [ast.ExprStmt(span, report, True), ast.ExprStmt(span, stop, True)],
                       None)
    arms = [ast.MatchArm(span, ast.VariantPattern(span, ["Ok"], [ast.WildPattern(span)]),
                         None, ast.Block(span, [], None)),
            ast.MatchArm(span, ast.VariantPattern(span, ["Err"], [ast.NamePattern(span, error)]),
                         None, failed)]
    call = ast.Call(span, ast.Path(span, [MAIN_RESULT]), [])
    body = ast.Block(span, [ast.ExprStmt(span, ast.Match(span, call, arms), True)], None)
    entry = ast.FnDef(span, "main", [], None, body, None, [], False, main.name_span)
    entry.origin = "user"
    program.functions["main"] = entry
