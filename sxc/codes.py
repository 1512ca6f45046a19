"""The registry of diagnostic codes: a title and a long explanation for each.

Every error and warning that sxc reports carries one of these codes, and
`sxc explain CODE` prints its explanation.  The hundreds digit of an error
code names the pass or area that reports it:

    SX00xx  reading the source, the toolchain and internal errors
    SX01xx  syntax (the parser)
    SX02xx  names, modules and imports
    SX03xx  types
    SX04xx  mutability and references
    SX05xx  `match`, patterns and enums
    SX06xx  format strings (`println!`, `format!`, `write!`)
    SX07xx  numbers and literals
    SX08xx  constructs that sxc does not support
    SX09xx  dual numbers, soft branches and file settings
    SX10xx  errors of the compiled program at run time
    SXWxxx  warnings

A code stays with its meaning once published, so a retired code is never
reused.  `example` is a program that reports the code and `fixed` is the same
program corrected; the test suite compiles both.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

CODE_PATTERN = re.compile(r"^SX(\d{4}|W\d{3})$")


@dataclass(frozen=True)
class Code:
    code: str
    title: str
    explanation: str
    example: str | None = None  # a program that reports `code`
    fixed: str | None = None  # `example` corrected, so that it compiles cleanly

    @property
    def severity(self) -> str:
        return "warning" if self.code.startswith("SXW") else "error"

    def render(self) -> str:
        """Format the explanation that `sxc explain` prints."""
        out = [f"{self.code}: {self.title}", "", _paragraphs(self.explanation)]
        if self.example is not None:
            kind = "Example that warns" if self.severity == "warning" else "Erroneous example"
            out += ["", f"{kind}:", "", textwrap.indent(self.example.strip("\n"), "    ")]
        if self.fixed is not None:
            out += ["", "Corrected:", "", textwrap.indent(self.fixed.strip("\n"), "    ")]
        return "\n".join(out) + "\n"


def _paragraphs(text: str) -> str:
    paragraphs = textwrap.dedent(text).strip().split("\n\n")
    return "\n\n".join(textwrap.fill(" ".join(p.split()), 79) for p in paragraphs)


def _code(code: str, title: str, explanation: str, example: str | None = None,
          fixed: str | None = None) -> Code:
    return Code(code, title, explanation,
                textwrap.dedent(example).lstrip("\n") if example else None,
                textwrap.dedent(fixed).lstrip("\n") if fixed else None)


_ALL = [
    # ------------------------------------------------------------------ SX00xx
    _code("SX0000", "internal compiler error", """
        sxc failed on a program it should have compiled or rejected with a
        diagnostic.  This is a bug in sxc, not in the program.  Report it
        with the smallest program that shows it; until it is fixed, rewriting
        the construct named in the message often avoids it.
    """),
    _code("SX0001", "cannot read the source file", """
        The file given on the command line, or the file of a `mod name;`
        declaration, could not be opened or read.  The message gives the
        operating system's reason, for example that the file does not exist
        or that permission is denied.  Check the path and the file's
        permissions.
    """),
    _code("SX0002", "source file is not valid UTF-8", """
        sxc reads source files as UTF-8.  The diagnostic points at the first
        byte that is not part of a valid UTF-8 sequence.  Convert the file
        to UTF-8, for example with `iconv -f latin1 -t utf-8`.
    """),
    _code("SX0003", "program nested too deeply", """
        The program nests expressions, blocks or types more deeply than sxc
        accepts, or so deeply that the compiler's recursion limit ends the
        compilation.  Split long or deeply nested expressions into `let`
        bindings or functions.  Array and tuple types nest at most 64 levels
        deep, counted together, `[(f64, f64); 3]` being two levels; keep
        deeper data in a `Vec` or a struct.
    """),
    _code("SX0004", "cannot write the output file", """
        `sxc build -o OUT` could not write the executable, because the
        directory of OUT does not exist or the file cannot be created.
        Create the directory or choose another path.
    """),
    _code("SX0005", "linking failed", """
        `sxc build` links the compiled program with a C compiler.  Either no
        C compiler was found, or the linker reported an error, which the
        message repeats.  Install gcc or clang, or set the `CC` environment
        variable to the compiler to use.
    """),
    _code("SX0006", "type too large", """
        A tuple or struct value contains at most 4096 single values (numbers,
        booleans, strings and the like) outside the elements of its arrays,
        which count once.  Each line of `let b = (a, a);` doubles the size
        of a value, and compiling a value field by field takes time in
        proportion to its size.  Keep repeated data in an array or a `Vec`.
    """),
    # ------------------------------------------------------------------ SX01xx
    _code("SX0101", "syntax error", """
        The parser found a token where the grammar does not allow it.  The
        help line lists the tokens that could appear at that point.
    """, """
        fn main() {
            let x = 1 +;
        }
    """, """
        fn main() {
            let x = 1 + 2;
            println!("{}", x);
        }
    """),
    _code("SX0102", "unexpected character", """
        The source contains a character that starts no token of the
        language, such as `$` or `@` outside a string or comment.  Outside
        strings and comments, non-ASCII characters may only form
        identifiers, as in Rust: an identifier starts with a letter or `_`
        (Unicode XID_Start) and continues with letters, digits and `_`
        (Unicode XID_Continue), so `größe` and `résumé` are identifiers but
        `x²`, `×` and typographic quotes such as `“` are not.
    """, """
        fn main() {
            let price = $5;
        }
    """, """
        fn main() {
            let price = 5;
            println!("{}", price);
        }
    """),
    _code("SX0103", "unterminated string literal", """
        A string literal starts with `"` but the file ends before the
        closing `"`, or a raw string `r#"` lacks its closing `"#`.
    """, """
        fn main() {
            println!("hello);
        }
    """, """
        fn main() {
            println!("hello");
        }
    """),
    _code("SX0104", "unterminated block comment", """
        A block comment starts with `/*` but the file ends before the
        closing `*/`.  Block comments nest, as in Rust, so every `/*` inside
        a comment needs its own `*/` too.
    """, """
        fn main() {
            /* a comment that is never closed
        }
    """, """
        fn main() {
            /* a closed comment */
        }
    """),
    _code("SX0105", "expected `;` after expression", """
        An expression statement in the middle of a block must end with `;`.
        Only the last expression of a block, its value, may go without one.
    """, """
        fn main() {
            let x = 1;
            x + 1
            println!("{}", x);
        }
    """, """
        fn main() {
            let x = 1;
            let y = x + 1;
            println!("{}", y);
        }
    """),
    _code("SX0106", "comparison operators cannot be chained", """
        `a < b < c` does not test whether `b` lies between `a` and `c`: as
        in Rust, comparisons cannot be chained.  Combine two comparisons with
        `&&`.
    """, """
        fn main() {
            let x = 5;
            if 0 < x < 10 {
                println!("inside");
            }
        }
    """, """
        fn main() {
            let x = 5;
            if 0 < x && x < 10 {
                println!("inside");
            }
        }
    """),
    _code("SX0107", "unknown macro", """
        The program calls a macro that sxc does not provide.  sxc provides
        `println!`, `print!`, `eprintln!`, `eprint!`, `format!`, `write!`,
        `writeln!`, `vec!`, `panic!`, `assert!`, `assert_eq!`, `assert_ne!`
        and `unreachable!`, and programs cannot define macros.
    """, """
        fn main() {
            dbg!(1);
        }
    """, """
        fn main() {
            eprintln!("{:?}", 1);
        }
    """),
    _code("SX0108", "invalid macro arguments", """
        A built-in macro received arguments of the wrong shape: `assert!`
        without a condition, `assert_eq!` without two values, `write!`
        without a formatter and a format string, or a named argument where
        the macro takes none.
    """, """
        fn main() {
            assert_eq!(1);
        }
    """, """
        fn main() {
            assert_eq!(1, 1);
        }
    """),
    _code("SX0109", "invalid escape sequence", """
        A string or character literal contains a backslash escape that the
        language does not define.  The escapes are `\\n`, `\\r`, `\\t`,
        `\\\\`, `\\0`, `\\'`, `\\"`, `\\x7F` (ASCII only) and `\\u{...}`.
    """, r"""
        fn main() {
            let s = "a\qb";
            println!("{}", s);
        }
    """, r"""
        fn main() {
            let s = "a\\qb";
            println!("{}", s);
        }
    """),
    _code("SX0110", "keyword used as an identifier", """
        A keyword of the language names a variable, function, parameter,
        field or other item.  As in Rust, keywords such as `fn`, `let`,
        `match`, `move` and `self` cannot be names, and neither can Rust's
        reserved keywords (`type`, `ref`, `box`, `yield`, `final` and the
        others).  `Self`, `crate` and `super` may start a path but cannot
        be declared as names.  `var`, the original Simplex's keyword for a
        mutable binding, is no Rust keyword, so it may name a variable.
    """, """
        fn main() {
            let fn = 2;
            println!("{}", fn);
        }
    """, """
        fn main() {
            let fn_ = 2;
            println!("{}", fn_);
        }
    """),
    _code("SX0111", "non-ASCII name where ASCII is required", """
        Identifiers may contain non-ASCII letters, but two kinds of names
        must be ASCII, as in Rust.  A function declared in an `extern` block
        must match the symbol of a C library.  A module loaded from a file
        with `mod name;` names that file, and file systems store non-ASCII
        file names in different Unicode normal forms.  Declare such a module
        inline with `mod name { ... }`.
    """, """
        mod größe;
        fn main() {}
    """, """
        mod größe {
            pub fn wert() -> f64 { 1.5 }
        }
        fn main() {
            println!("{}", größe::wert());
        }
    """),
    # ------------------------------------------------------------------ SX02xx
    _code("SX0201", "cannot find a name in this scope", """
        The program uses a variable, function or path that is not declared
        where it is used.  Check the spelling, declare the item, or import
        it with `use`.
    """, """
        fn main() {
            println!("{}", count);
        }
    """, """
        fn main() {
            let count = 3;
            println!("{}", count);
        }
    """),
    _code("SX0202", "cannot find a type", """
        A type name, such as the type of a parameter, the struct of a struct
        literal or the type of an `impl` block, is not declared.
    """, """
        fn area(s: Square) -> f64 {
            0.0
        }

        fn main() {}
    """, """
        struct Square {
            side: f64,
        }

        fn area(s: Square) -> f64 {
            s.side * s.side
        }

        fn main() {
            println!("{}", area(Square { side: 2.0 }));
        }
    """),
    _code("SX0203", "name defined more than once", """
        Two items of one module, two variants of one enum, or two modules
        have the same name.  Rename or remove one of them; an import can take
        another name with `use path::name as other;`.
    """, """
        fn f() {}
        fn f() {}

        fn main() {}
    """, """
        fn f() {}
        fn g() {}

        fn main() {
            f();
            g();
        }
    """),
    _code("SX0204", "item is private", """
        An item declared without `pub` in a module is visible only inside
        that module and its submodules.  Mark it `pub` to use it elsewhere.
    """),
    _code("SX0205", "file not found for module", """
        `mod name;` loads the module from `name.sx` beside the file that
        declares it, or from `name/mod.sx`.  Neither file exists.
    """, """
        mod geometry;

        fn main() {}
    """, """
        fn main() {}
    """),
    _code("SX0206", "conflicting module files", """
        The files of the modules do not form a tree: both `name.sx` and
        `name/mod.sx` exist, a module file declares a module that contains
        it, or one file is declared as two modules.  Delete or rename the
        extra file, or remove the extra `mod` declaration.
    """),
    _code("SX0207", "unresolved import", """
        A `use` declaration names a module or item that does not exist,
        imports nothing (`use geometry;`), imports everything from something
        that is not a module, or uses `super` in the crate root.
    """, """
        use shapes::circle;

        fn main() {}
    """, """
        fn main() {}
    """),
    _code("SX0208", "no such enum variant", """
        The path names a variant that the enum does not declare.  The help
        line lists its variants.
    """, """
        enum Color { Red, Green }

        fn main() {
            let c = Color::Blue;
        }
    """, """
        enum Color { Red, Green }

        fn main() {
            let c = Color::Green;
            let _ = c;
        }
    """),
    _code("SX0209", "no associated function", """
        `Type::name(..)` calls an associated function that the type's `impl`
        blocks do not define.
    """, """
        struct Point { x: f64 }

        fn main() {
            let p = Point::origin();
        }
    """, """
        struct Point { x: f64 }

        impl Point {
            fn origin() -> Point {
                Point { x: 0.0 }
            }
        }

        fn main() {
            let p = Point::origin();
            println!("{}", p.x);
        }
    """),
    _code("SX0210", "no such method", """
        `value.name(..)` calls a method that the value's type does not have.
        For a struct, define the method in an `impl` block; for the built-in
        types, the help line may suggest the method that sxc provides.
    """, """
        fn main() {
            let x = 2.0;
            println!("{}", x.square());
        }
    """, """
        fn main() {
            let x = 2.0;
            println!("{}", x.powi(2));
        }
    """),
    _code("SX0211", "no such field", """
        A field access or a struct literal names a field that the struct
        does not declare, or a tuple index is past the tuple's end.
    """, """
        struct Point { x: f64, y: f64 }

        fn main() {
            let p = Point { x: 1.0, y: 2.0 };
            println!("{}", p.z);
        }
    """, """
        struct Point { x: f64, y: f64 }

        fn main() {
            let p = Point { x: 1.0, y: 2.0 };
            println!("{}", p.y);
        }
    """),
    _code("SX0212", "undeclared label", """
        `break 'label` and `continue 'label` must name a loop that encloses
        them.
    """, """
        fn main() {
            loop {
                break 'outer;
            }
        }
    """, """
        fn main() {
            'outer: loop {
                break 'outer;
            }
        }
    """),
    _code("SX0213", "misplaced top-level statements", """
        Statements outside a function run as the program when the main file
        has no `fn main`.  A file cannot have both, and a module file cannot
        have such statements at all.  Move the statements into a function.
    """, """
        let x = 1;

        fn main() {}
    """, """
        fn main() {
            let x = 1;
            println!("{}", x);
        }
    """),
    _code("SX0214", "`self` parameter without a struct", """
        A top-level function whose first parameter is `self` is a method of
        the struct declared above it.  This function has no struct above it.
        Declare the struct first, or put the function in an `impl` block.
    """, """
        fn norm(&self) -> f64 {
            0.0
        }

        fn main() {}
    """, """
        struct V { x: f64 }

        fn norm(&self) -> f64 {
            self.x.abs()
        }

        fn main() {
            let v = V { x: -2.0 };
            println!("{}", v.norm());
        }
    """),
    _code("SX0215", "cannot find a trait", """
        An `impl Name for Type`, a bound `T: Name` or a supertrait names a
        trait that no `trait` item declares and that is not one of the standard traits sxc
        knows.  Check the spelling, or declare the trait.
    """, """
        struct Square { side: f64 }

        impl Shap for Square {
            fn area(&self) -> f64 { self.side * self.side }
        }

        fn main() {}
    """, """
        trait Shape {
            fn area(&self) -> f64;
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self) -> f64 { self.side * self.side }
        }

        fn main() {
            println!("{}", Square { side: 2.0 }.area());
        }
    """),
    _code("SX0216", "item is not a member of the trait", """
        An `impl Trait for Type` block may define only the methods and
        constants that the trait declares.  Declare the item in the trait, or
        move it to a plain `impl Type` block.
    """, """
        trait Shape {
            fn area(&self) -> f64;
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self) -> f64 { self.side * self.side }
            fn perimeter(&self) -> f64 { 4.0 * self.side }
        }

        fn main() {}
    """, """
        trait Shape {
            fn area(&self) -> f64;
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self) -> f64 { self.side * self.side }
        }

        impl Square {
            fn perimeter(&self) -> f64 { 4.0 * self.side }
        }

        fn main() {
            let s = Square { side: 2.0 };
            println!("{} {}", s.area(), s.perimeter());
        }
    """),
    _code("SX0217", "not all trait items implemented", """
        An `impl Trait for Type` block must define every method that the
        trait declares without a body, and every constant that it declares
        without a value.  The methods with a body are copied into the impl
        when it does not define them.
    """, """
        trait Shape {
            fn area(&self) -> f64;
            fn twice(&self) -> f64 { 2.0 * self.area() }
        }

        struct Square { side: f64 }

        impl Shape for Square {}

        fn main() {}
    """, """
        trait Shape {
            fn area(&self) -> f64;
            fn twice(&self) -> f64 { 2.0 * self.area() }
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self) -> f64 { self.side * self.side }
        }

        fn main() {
            println!("{}", Square { side: 2.0 }.twice());
        }
    """),
    _code("SX0218", "method does not match the trait", """
        A method of an `impl Trait for Type` block must take a `self`
        parameter exactly when the trait's declaration does, and as many
        parameters.
    """, """
        trait Shape {
            fn area(&self) -> f64;
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self, scale: f64) -> f64 { scale * self.side * self.side }
        }

        fn main() {}
    """, """
        trait Shape {
            fn area(&self) -> f64;
        }

        struct Square { side: f64 }

        impl Shape for Square {
            fn area(&self) -> f64 { self.side * self.side }
        }

        fn main() {
            println!("{}", Square { side: 2.0 }.area());
        }
    """),
    # ------------------------------------------------------------------ SX03xx
    _code("SX0301", "mismatched types", """
        An expression has a different type from the one its context
        requires: the annotation of a `let`, the parameter of a function, the
        return type, the other operand of an operator, or the other arm of an
        `if` or `match`.  sxc converts between numeric types only with an
        explicit `as`.
    """, """
        fn main() {
            let n: i64 = 3;
            let x: f64 = n;
        }
    """, """
        fn main() {
            let n: i64 = 3;
            let x: f64 = n as f64;
            println!("{}", x);
        }
    """),
    _code("SX0302", "wrong number of arguments", """
        A call passes more or fewer arguments than the function, method or
        closure declares.
    """, """
        fn add(a: i64, b: i64) -> i64 {
            a + b
        }

        fn main() {
            println!("{}", add(1));
        }
    """, """
        fn add(a: i64, b: i64) -> i64 {
            a + b
        }

        fn main() {
            println!("{}", add(1, 2));
        }
    """),
    _code("SX0303", "wrong number of generic arguments", """
        A generic struct or function receives more or fewer type arguments
        than it declares, a generic struct is used without its arguments, or
        a type parameter is given arguments.
    """, """
        struct Pair<T> { a: T, b: T }

        fn main() {
            let p: Pair<f64, f64> = Pair { a: 1.0, b: 2.0 };
        }
    """, """
        struct Pair<T> { a: T, b: T }

        fn main() {
            let p: Pair<f64> = Pair { a: 1.0, b: 2.0 };
            println!("{}", p.a + p.b);
        }
    """),
    _code("SX0304", "type annotations needed", """
        sxc cannot infer a type from the program: the element type of an
        empty `Vec` or array, the type parameter of a generic call, the
        target of `parse` or `Default::default()`, or a closure parameter.
        Annotate the binding or name the type with `::<T>`.
    """, """
        fn main() {
            let v = Vec::new();
        }
    """, """
        fn main() {
            let v: Vec<f64> = Vec::new();
            println!("{}", v.len());
        }
    """),
    _code("SX0305", "operator cannot be applied to this type", """
        The operands of a unary or binary operator do not support it: for
        example `!` on a float, `<` on two structs without `PartialEq`, or
        `+` on values of two different numeric types.
    """, """
        fn main() {
            let a = 1.5;
            let b = !a;
        }
    """, """
        fn main() {
            let a = 1.5;
            let b = -a;
            println!("{}", b);
        }
    """),
    _code("SX0306", "invalid cast", """
        `as` converts between numeric types, `bool` and `u8`, and enums
        without data to integers.  Other casts, such as a struct or a string
        to a number, are invalid.
    """, """
        fn main() {
            let s = "3";
            let n = s as i64;
        }
    """, """
        fn main() {
            let s = "3";
            let n: i64 = s.parse().unwrap();
            println!("{}", n);
        }
    """),
    _code("SX0307", "call of a value that is not a function", """
        The expression before `(..)` is not a function, a function value or
        a closure.
    """, """
        fn main() {
            let x = 2;
            let y = x(3);
        }
    """, """
        fn main() {
            let x = 2;
            let y = x * 3;
            println!("{}", y);
        }
    """),
    _code("SX0308", "invalid index or slice", """
        Only arrays, slices, vectors and strings can be indexed or sliced,
        and the index must be an integer.
    """, """
        fn main() {
            let v = vec![1.0, 2.0];
            let i = 1.0;
            println!("{}", v[i]);
        }
    """, """
        fn main() {
            let v = vec![1.0, 2.0];
            let i = 1;
            println!("{}", v[i]);
        }
    """),
    _code("SX0309", "value cannot be iterated", """
        A `for` loop iterates over ranges, arrays, slices, vectors and the
        iterator methods sxc provides.  This value is none of them.
    """, """
        fn main() {
            let n = 3;
            for i in n {
                println!("{}", i);
            }
        }
    """, """
        fn main() {
            let n = 3;
            for i in 0..n {
                println!("{}", i);
            }
        }
    """),
    _code("SX0310", "recursive type has infinite size", """
        A struct contains a value of its own type directly, so its size would
        be infinite.  Hold the inner value in a `Box` (`Option<Box<Node>>`
        for a list that ends) or the inner values in a `Vec`.
    """, """
        struct Node {
            value: f64,
            next: Node,
        }

        fn main() {}
    """, """
        struct Node {
            value: f64,
            next: Option<Box<Node>>,
        }

        fn main() {
            let n = Node { value: 1.0, next: Some(Box::new(Node { value: 2.0, next: None })) };
            println!("{} {}", n.value, n.next.is_some());
        }
    """),
    _code("SX0311", "trait not implemented", """
        An operation needs a trait that the type does not implement:
        `Default::default()` needs `Default`, `sort` needs a total order, and
        `dedup` needs `==`.  A call of a generic function `fn f<T: Shape>`
        needs an `impl Shape` for the type that takes the place of `T`, and
        an `impl Solid` of a trait `Solid: Shape` needs an `impl Shape` for
        the same type.  Derive the trait or write the `impl`.
    """, """
        struct P { x: f64 }

        fn main() {
            let p: P = Default::default();
        }
    """, """
        #[derive(Default)]
        struct P { x: f64 }

        fn main() {
            let p: P = Default::default();
            println!("{}", p.x);
        }
    """),
    _code("SX0312", "missing or repeated struct fields", """
        A struct literal must give every field of the struct exactly once.
    """, """
        struct P { x: f64, y: f64 }

        fn main() {
            let p = P { x: 1.0 };
        }
    """, """
        struct P { x: f64, y: f64 }

        fn main() {
            let p = P { x: 1.0, y: 0.0 };
            println!("{}", p.x + p.y);
        }
    """),
    _code("SX0313", "invalid constant", """
        An array length or a `const` item must be a constant integer
        expression that sxc can evaluate at compile time: without division
        by zero, without a cycle between constants, and for array lengths
        within the supported range.
    """, """
        const N: usize = 8 / 0;

        fn main() {
            let a = [0.0; N];
        }
    """, """
        const N: usize = 8 / 2;

        fn main() {
            let a = [0.0; N];
            println!("{}", a.len());
        }
    """),
    _code("SX0314", "invalid signature of `main`", """
        `fn main` takes no parameters and returns `()`, an integer, which
        becomes the exit status, or `Result<(), E>`, whose `Err` prints
        `Error: ` and the error's `{:?}` on stderr and exits with status 1.
        Read command-line arguments with `args()`.
    """, """
        fn main(n: i64) {}
    """, """
        fn main() {
            let n = args().len();
            println!("{}", n);
        }
    """),
    _code("SX0315", "recursion limit reached while instantiating generics", """
        sxc compiles a copy of each generic function and struct for every
        set of type arguments.  A generic item that asks for a new, larger
        copy of itself at every level never ends, so sxc stops at a fixed
        depth.
    """),
    _code("SX0316", "conflicting trait implementations", """
        A trait is implemented twice for one type, for example by
        `#[derive(Clone)]` and by an `impl Clone` block.  Keep one of them.
    """, """
        #[derive(Default)]
        struct P { x: f64 }

        impl Default for P {
            fn default() -> P {
                P { x: 1.0 }
            }
        }

        fn main() {}
    """, """
        struct P { x: f64 }

        impl Default for P {
            fn default() -> P {
                P { x: 1.0 }
            }
        }

        fn main() {
            let p: P = Default::default();
            println!("{}", p.x);
        }
    """),
    _code("SX0317", "`break` or `continue` outside a loop", """
        `break` and `continue` may appear only inside `loop`, `while` or
        `for`.  Leave a function early with `return`.
    """, """
        fn main() {
            break;
        }
    """, """
        fn main() {
            return;
        }
    """),
    _code("SX0318", "invalid range", """
        A range needs integer ends, and an inclusive range `a..=b` needs its
        end.
    """, """
        fn main() {
            for x in 0.0..1.0 {
                println!("{}", x);
            }
        }
    """, """
        fn main() {
            for i in 0..10 {
                let x = i as f64 / 10.0;
                println!("{}", x);
            }
        }
    """),
    _code("SX0319", "type alias refers to itself", """
        A type alias names itself, directly or through other aliases, so it
        stands for no type.  Write the type out in one of them.
    """, """
        type Meters = Length;
        type Length = Meters;

        fn main() {
            let m: Meters = 1.0;
        }
    """, """
        type Meters = Length;
        type Length = f64;

        fn main() {
            let m: Meters = 1.0;
            println!("{}", m);
        }
    """),
    # ------------------------------------------------------------------ SX04xx
    _code("SX0401", "assignment to an immutable variable", """
        A binding declared with `let` cannot be assigned again, and one
        declared without a value (`let x;`) can be assigned only once.
        Declare it with `let mut` or `var`.  Programs written for the original Simplex
        toolchain (whose `main` returns an integer) get warning SXW002
        instead.
    """, """
        fn main() {
            let x = 1;
            x = 2;
        }
    """, """
        fn main() {
            let mut x = 1;
            x = 2;
            println!("{}", x);
        }
    """),
    _code("SX0402", "change through a `&` reference", """
        A shared reference `&T` does not allow changes to the value it points
        to, neither by assignment nor by a method that takes `&mut self`.
        Take a `&mut` reference instead.
    """, """
        fn reset(v: &Vec<f64>) {
            v[0] = 0.0;
        }

        fn main() {}
    """, """
        fn reset(v: &mut Vec<f64>) {
            v[0] = 0.0;
        }

        fn main() {
            let mut v = vec![1.0];
            reset(&mut v);
            println!("{}", v[0]);
        }
    """),
    _code("SX0403", "cannot borrow as mutable", """
        A mutable borrow, such as `for x in v.iter_mut()`, needs a binding
        declared with `let mut` or `var`.
    """, """
        fn main() {
            let v = vec![1.0, 2.0];
            for x in v.iter_mut() {
                *x *= 2.0;
            }
        }
    """, """
        fn main() {
            let mut v = vec![1.0, 2.0];
            for x in v.iter_mut() {
                *x *= 2.0;
            }
            println!("{:?}", v);
        }
    """),
    _code("SX0404", "invalid left-hand side of assignment", """
        Only a variable, a field, an element or a dereference can be
        assigned to.
    """, """
        fn main() {
            let mut x = 1;
            x + 1 = 3;
        }
    """, """
        fn main() {
            let mut x = 1;
            x = 3;
            println!("{}", x);
        }
    """),
    _code("SX0405", "use of an uninitialized variable", """
        A binding declared without a value (`let x;`) must be assigned on
        every path through the program before it is read.
    """, """
        fn main() {
            let x: i64;
            if args().len() > 5 {
                x = 1;
            }
            println!("{}", x);
        }
    """, """
        fn main() {
            let x: i64;
            if args().len() > 5 {
                x = 1;
            } else {
                x = 0;
            }
            println!("{}", x);
        }
    """),
    _code("SX0406", "change of a sequence while a loop iterates over it", """
        A `for` loop over `v.iter()`, `&v` or `s.chars()` borrows the sequence
        until the loop ends, so its body may not change the sequence's
        length: `push`, `insert`, `remove`, `clear` and the like would move
        or free the elements that the loop is reading.  Rust rejects the
        same loops.  Loop over the indices instead, over a copy, or collect
        the new elements in another `Vec` and add them after the loop.
    """, """
        fn main() {
            let mut v = vec![1, 2, 3];
            for x in v.iter() {
                v.push(*x * 10);
            }
        }
    """, """
        fn main() {
            let mut v = vec![1, 2, 3];
            for i in 0..v.len() {
                let x = v[i];
                v.push(x * 10);
            }
            println!("{:?}", v);
        }
    """),
    _code("SX0407", "reference to a local variable returned", """
        A function may not return `&v`, `&v[..]` or `v.as_str()` of a local
        variable or parameter that owns its value, because the value is
        freed when the function returns and the reference would point to
        freed memory.  Rust rejects the same functions.  Return the value
        itself, or take the data as a reference parameter and return a
        reference into that.
    """, """
        fn tail(v: Vec<i32>) -> &'static [i32] {
            &v[1..]
        }

        fn main() {}
    """, """
        fn tail(v: &Vec<i32>) -> &[i32] {
            &v[1..]
        }

        fn main() {
            let v = vec![1, 2, 3];
            println!("{:?}", tail(&v));
        }
    """),
    # ------------------------------------------------------------------ SX05xx
    _code("SX0501", "non-exhaustive patterns", """
        A `match` must have an arm for every value of its subject.  Add arms
        for the values that the message lists, or a final `_ => ...` arm.
    """, """
        enum Dir { Up, Down }

        fn main() {
            let d = Dir::Up;
            match d {
                Dir::Up => println!("up"),
            }
        }
    """, """
        enum Dir { Up, Down }

        fn main() {
            let d = Dir::Up;
            match d {
                Dir::Up => println!("up"),
                Dir::Down => println!("down"),
            }
        }
    """),
    _code("SX0502", "identifier bound more than once in a pattern", """
        A pattern binds each name once.  Use a different name for each part.
    """, """
        fn main() {
            let t = (1, 2);
            match t {
                (a, a) => println!("{}", a),
            }
        }
    """, """
        fn main() {
            let t = (1, 2);
            match t {
                (a, b) => println!("{} {}", a, b),
            }
        }
    """),
    _code("SX0503", "invalid range pattern", """
        A range pattern `lo..=hi` matches integers and `u8` characters, and
        its lower bound may not exceed its upper bound.
    """, """
        fn main() {
            let n = 5;
            match n {
                10..=1 => println!("small"),
                _ => println!("other"),
            }
        }
    """, """
        fn main() {
            let n = 5;
            match n {
                1..=10 => println!("small"),
                _ => println!("other"),
            }
        }
    """),
    _code("SX0504", "float literal in a pattern", """
        Patterns compare integers, `bool`, `char`, strings and enums by value.
        A float, alone or inside a tuple or a payload, matches only a binding
        or `_`; compare it in a guard.
    """, """
        fn main() {
            let x = 0.5;
            match x {
                0.5 => println!("half"),
                _ => println!("other"),
            }
        }
    """, """
        fn main() {
            let x = 0.5;
            match x {
                v if v == 0.5 => println!("half"),
                _ => println!("other"),
            }
        }
    """),
    _code("SX0505", "invalid constant in a pattern", """
        A constant in a pattern must be a literal, or a `const` whose value
        sxc can compute, of the subject's type.
    """, """
        const ON: bool = !false;

        fn main() {
            let b = true;
            match b {
                ON => println!("on"),
                _ => println!("off"),
            }
        }
    """, """
        const ON: bool = true;

        fn main() {
            let b = true;
            match b {
                ON => println!("on"),
                _ => println!("off"),
            }
        }
    """),
    _code("SX0506", "invalid enum discriminant", """
        An explicit discriminant (`Variant = 3`) must be a constant integer
        that fits an `isize`, and no two variants may share one.
    """, """
        enum Level { Low = 1, High = 1 }

        fn main() {}
    """, """
        enum Level { Low = 1, High = 2 }

        fn main() {
            println!("{}", Level::High as i64);
        }
    """),
    _code("SX0507", "alternatives bind different names", """
        Each alternative of a `|` pattern must bind the same names, so that
        the arm's body finds every name whichever alternative matched.
    """, """
        fn main() {
            let p = (0, 3);
            match p {
                (0, x) | (y, 0) => println!("{}", x),
                _ => {}
            }
        }
    """, """
        fn main() {
            let p = (0, 3);
            match p {
                (0, x) | (x, 0) => println!("{}", x),
                _ => {}
            }
        }
    """),
    # ------------------------------------------------------------------ SX06xx
    _code("SX0601", "invalid format string", """
        The format string of `println!`, `format!` or `write!` is malformed:
        an unclosed `{`, an unmatched `}`, or an unknown format
        specification.  Write `{{` and `}}` for literal braces.
    """, """
        fn main() {
            println!("x = {", 1);
        }
    """, """
        fn main() {
            println!("x = {}", 1);
        }
    """),
    _code("SX0602", "format string must be a string literal", """
        The first argument of a printing or formatting macro must be a
        string literal, because sxc checks the format at compile time.
    """, """
        fn main() {
            let s = "hello";
            println!(s);
        }
    """, """
        fn main() {
            let s = "hello";
            println!("{}", s);
        }
    """),
    _code("SX0603", "format arguments do not match the format string", """
        Every argument of a format macro must be used by a `{}` of the
        format string, every `{}` must have an argument, names must be
        unique, and positional arguments come before named ones.
    """, """
        fn main() {
            println!("{} {}", 1);
        }
    """, """
        fn main() {
            println!("{} {}", 1, 2);
        }
    """),
    _code("SX0604", "value cannot be formatted this way", """
        `{}` needs a type that implements `Display`, `{:?}` one that
        implements `Debug`, and `{:x}`, `{:b}`, `{:o}` and `{:e}` need
        numbers.  Derive `Debug` or implement `fmt::Display` for a struct.
    """, """
        struct P { x: f64 }

        fn main() {
            let p = P { x: 1.0 };
            println!("{}", p);
        }
    """, """
        #[derive(Debug)]
        struct P { x: f64 }

        fn main() {
            let p = P { x: 1.0 };
            println!("{:?}", p);
        }
    """),
    _code("SX0605", "invalid width or precision", """
        A width or precision given as an argument (`{:1$}`, `{:.*}`) must be a
        `usize`, and a literal width or precision must be within the limit
        that the message names.
    """, """
        fn main() {
            let w = 8.0;
            println!("{:1$}", 1, w);
        }
    """, """
        fn main() {
            let w: usize = 8;
            println!("{:1$}", 1, w);
        }
    """),
    # ------------------------------------------------------------------ SX07xx
    _code("SX0701", "literal out of range", """
        An integer literal does not fit its type, or a float literal exceeds
        the largest finite value of its type.  The help line gives the
        type's range.
    """, """
        fn main() {
            let x: u8 = 256;
        }
    """, """
        fn main() {
            let x: u16 = 256;
            println!("{}", x);
        }
    """),
    _code("SX0702", "negation of an unsigned value", """
        Values of unsigned types (`u8`, `u16`, `u32`, `u64`, `usize`) cannot
        be negative, so unary `-` does not apply to them.  Use a signed type,
        or `wrapping_neg()` for the two's complement.
    """, """
        fn main() {
            let x: u32 = -1;
        }
    """, """
        fn main() {
            let x: i32 = -1;
            println!("{}", x);
        }
    """),
    _code("SX0703", "invalid character literal", """
        A character literal such as `'a'` contains exactly one character, and a
        byte literal such as `b'a'` one ASCII character.  Put longer text in
        a string, and write other bytes with a `\\x` escape.
    """, """
        fn main() {
            let b = b'é';
        }
    """, """
        fn main() {
            let c = 'é';
            println!("{}", c);
        }
    """),
    _code("SX0704", "lossy `From` conversion", """
        `T::from(x)` converts only where every value of the source type fits
        the target type exactly.  Convert with `as`, which truncates or
        rounds, when the loss is intended.
    """, """
        fn main() {
            let n: i64 = 300;
            let b = u8::from(n);
        }
    """, """
        fn main() {
            let n: i64 = 300;
            let b = n as u8;
            println!("{}", b);
        }
    """),
    # ------------------------------------------------------------------ SX08xx
    _code("SX0801", "unsupported construct", """
        The program uses a Rust or Simplex construct that sxc does not
        compile, such as traits of its own, trait objects, type aliases, the
        `?` operator on anything but an `Option` or a `Result`, or items
        inside functions.
        The help line suggests how to express the same thing with what sxc
        supports.
    """, """
        fn main() {
            let v = vec![1.0, 2.0];
            let total: f64 = v.iter().cycle().take(3).sum();
        }
    """, """
        fn main() {
            let v = vec![1.0, 2.0];
            let total: f64 = (0..3).map(|k| v[k % v.len()]).sum();
            println!("{}", total);
        }
    """),
    _code("SX0802", "`Result` values", """
        sxc's `Result<T, E>` has no `From` conversion: the `?` operator
        returns the error unchanged, so the function must return a `Result`
        with the same error type.  Convert the error first with
        `.map_err(..)`.  The result of `fs::read_to_string` is not a
        `Result` value in sxc: call `unwrap` or `expect` on it.
    """, """
        fn count(s: &str) -> Result<i64, String> {
            let n: i64 = s.parse()?;
            Ok(n)
        }

        fn main() {
            println!("{:?}", count("3"));
        }
    """, """
        fn count(s: &str) -> Result<i64, String> {
            let n: i64 = s.parse().map_err(|e| format!("{}: {}", s, e))?;
            Ok(n)
        }

        fn main() {
            println!("{:?}", count("3"));
        }
    """),
    _code("SX0803", "closure escapes", """
        sxc compiles closures that do not outlive the function that creates
        them: a closure can be called, or passed to a function whose
        parameter is `impl Fn(..)` or a generic `F: Fn(..)`.  It cannot be
        stored in a struct or a `Vec`, returned, or coerced to a `fn` type
        when it captures variables.
    """, """
        fn main() {
            let k = 2.0;
            let f: fn(f64) -> f64 = |x| k * x;
        }
    """, """
        fn main() {
            let k = 2.0;
            let f = |x: f64| k * x;
            println!("{}", f(3.0));
        }
    """),
    _code("SX0804", "unsupported trait implementation", """
        sxc implements `Default`, `Clone`, `Copy`, `PartialEq`, `Eq`, `Ord`,
        `PartialOrd`, `Display`, `Debug`, `From` and the traits that the
        program declares from `impl` blocks, and derives `Debug`, `Clone`,
        `Copy`, `Default`, `PartialEq`, `Eq`, `PartialOrd`, `Ord` and `Hash`.
        Of the operator traits it takes `Add`, `Sub`,
        `Mul`, `Div` and `Rem`, with the struct or another type on the right
        (`impl Mul<f64> for V`), their `AddAssign` forms, `Neg`, `Index` and
        `IndexMut`, also implemented for a reference (`impl Mul for &V`).  Other
        standard traits and other operator overloading are not supported;
        write plain methods.
    """, """
        struct V { x: f64 }

        impl Drop for V {
            fn drop(&mut self) {}
        }

        fn main() {}
    """, """
        struct V { x: f64 }

        impl V {
            fn add(self, o: V) -> V {
                V { x: self.x + o.x }
            }
        }

        fn main() {
            let v = V { x: 1.0 }.add(V { x: 2.0 });
            println!("{}", v.x);
        }
    """),
    _code("SX0805", "unsupported type", """
        The type exists in Rust's language or standard library but not in
        sxc, such as `i128`, `Rc` or `RefCell`.  The widest
        integers are `i64` and `u64`, and the help line suggests what to use
        for the others.
    """, """
        fn main() {
            let big: i128 = 1;
        }
    """, """
        fn main() {
            let big: i64 = 1;
            println!("{}", big);
        }
    """),
    _code("SX0806", "unsupported `extern` declaration", """
        An `extern "C"` block may declare only functions of the C math
        library, with their C parameter counts.  The help line lists them.
    """, """
        extern "C" {
            fn puts(s: i64) -> i64;
        }

        fn main() {}
    """, """
        extern "C" {
            fn hypot(x: f64, y: f64) -> f64;
        }

        fn main() {
            println!("{}", hypot(3.0, 4.0));
        }
    """),
    _code("SX0807", "iterator outside a `for` loop", """
        sxc supports ranges and iterator adapters such as `.enumerate()` only
        as the iterator of a `for` loop, not as values of their own.
    """, """
        fn main() {
            let r = 0..10;
        }
    """, """
        fn main() {
            for i in 0..10 {
                println!("{}", i);
            }
        }
    """),
    # ------------------------------------------------------------------ SX09xx
    _code("SX0901", "side effect inside a soft branch", """
        An `if` whose condition is a `dual` probability is a soft branch: in
        train mode both arms run and their values are blended.  So an arm
        cannot print, `return`, `break`, `continue` or change variables
        declared outside the `if`.  Make the `if` produce a value and act on
        it after the `if`.
    """, """
        fn main() {
            let p = dual::variable(0.25);
            let mut total = 0.0;
            if p {
                total = 1.0;
            } else {
                total = 2.0;
            }
        }
    """, """
        fn main() {
            let p = dual::variable(0.25);
            let total: dual = if p { 1.0 } else { 2.0 };
            println!("{}", total.val);
        }
    """),
    _code("SX0902", "operation not defined for `dual`", """
        A `dual` number carries a derivative, so sxc rejects operations that
        would drop it silently: casting with `as`, and methods without a
        derivative rule.  Take the value with `.val` to leave the dual.
    """, """
        fn main() {
            let x = dual::variable(1.5);
            let n = x as i64;
        }
    """, """
        fn main() {
            let x = dual::variable(1.5);
            let n = x.val as i64;
            println!("{}", n);
        }
    """),
    _code("SX0903", "reserved struct name `Dual`", """
        Train mode lowers every `dual` to a struct named `Dual`, so a program
        compiled in train mode cannot declare its own struct of that name.
        Rename the struct, or compile with `--mode release`.
    """, """
        struct Dual { a: f64 }

        fn main() {
            let x = dual::variable(1.0);
            println!("{}", x.val);
        }
    """, """
        struct Pair { a: f64 }

        fn main() {
            let x = dual::variable(1.0);
            println!("{}", x.val);
        }
    """),
    _code("SX0904", "invalid file setting", """
        `#![mode = "..."]` must be `"train"` or `"release"`, and the tangent
        count from `#![tangents = N]` or `--tangents N` must be a whole
        number from 0 to 64.
    """, """
        #![mode = "fast"]

        fn main() {}
    """, """
        #![mode = "release"]

        fn main() {}
    """),
    _code("SX0905", "tangent lane out of range", """
        Each `dual` carries the number of tangent lanes that `#![tangents = N]`
        or `--tangents N` sets, one by default.  `dual::unit(v, k)` and
        `x.lane(k)` with a constant `k` at or past that count are rejected,
        because the lane does not exist and its derivative would read as 0.
        Ask for more lanes.  A lane that is not a constant is checked at run
        time instead.  Release mode and `--tangents 0` carry no tangents, so
        there every lane reads as 0 and no lane is rejected.
    """, """
        fn main() {
            let x = dual::unit(2.0, 1);
            println!("{}", x.lane(1));
        }
    """, """
        #![tangents = 2]

        fn main() {
            let x = dual::unit(2.0, 1);
            println!("{}", x.lane(1));
        }
    """),
    # ------------------------------------------------------------------ SXWxxx
    # ------------------------------------------------------------------ SX10xx
    _code("SX1001", "runtime error", """
        The compiled program stopped at run time, as a Rust program panics:
        an index out of bounds, a division of an integer by zero, an integer
        overflow, a failed `assert!`, an explicit `panic!`, and the like.  The
        location is the expression that failed.  `sxc run` exits with status
        101; with `--error-format=json` the error is one line of JSON with
        this code.
    """),
    _code("SX1002", "time limit exceeded", """
        The compiled program ran longer than `sxc run --time-limit SECONDS`
        allows, so sxc ended it with exit status 124, as GNU `timeout` does.
        What the program printed until then is kept.  Compiling does not
        count towards the limit of the run but has a limit of its own,
        SECONDS or 60 seconds, whichever is longer.  With `--error-format=json` the message is one
        line of JSON with this code.
    """),
    _code("SXW001", "unknown file setting", """
        sxc reads the file settings `#![mode = ...]` and `#![tangents = ...]`
        and ignores other `#![name = value]` attributes, which often are a
        misspelling of one of them.
    """, """
        #![tangnets = 8]

        fn main() {}
    """, """
        #![tangents = 8]

        fn main() {}
    """),
    _code("SXW002", "assignment to a `let` binding", """
        Programs written for the original Simplex toolchain (whose `main`
        returns an integer) may assign to a `let` binding, which sxc accepts
        with this warning.  Declare the binding with `var` to silence it.  In
        other programs the assignment is error SX0401, as in Rust.
    """, """
        fn main() -> i64 {
            let n: i64 = 1;
            n = n + 1;
            n
        }
    """, """
        fn main() -> i64 {
            var n: i64 = 1;
            n = n + 1;
            n
        }
    """),
    _code("SXW003", "`&mut self` method called on an immutable binding", """
        The method takes `&mut self`, so it may change the value, but the
        binding is not declared mutable.  sxc accepts the call with this
        warning, because programs for the original Simplex toolchain do
        this.  Declare the binding with `let mut` or `var`.
    """, """
        fn main() {
            let v: Vec<i64> = Vec::new();
            v.push(1);
            println!("{}", v.len());
        }
    """, """
        fn main() {
            let mut v: Vec<i64> = Vec::new();
            v.push(1);
            println!("{}", v.len());
        }
    """),
    _code("SXW004", "unreachable pattern", """
        The arms above this one match every value that this arm's pattern
        matches, so it never runs.  Remove it, or move it above the arm that
        covers it.
    """, """
        fn main() {
            let n = 3;
            match n {
                _ => println!("any"),
                3 => println!("three"),
            }
        }
    """, """
        fn main() {
            let n = 3;
            match n {
                3 => println!("three"),
                _ => println!("any"),
            }
        }
    """),
    _code("SXW005", "unused variable", """
        A variable, function parameter or pattern binding is never used after
        its declaration, which often means a typo or a forgotten step.
        Remove it, or start its name with `_` to say that it is unused on
        purpose.  As in Rust, an assignment counts as a use of the variable,
        and the parameters of the methods of a trait implementation are not
        reported.
    """, """
        fn main() {
            let scale = 2.0;
            let x = 3.0;
            println!("{}", x);
        }
    """, """
        fn main() {
            let scale = 2.0;
            let x = 3.0;
            println!("{}", scale * x);
        }
    """),
    _code("SXW006", "variable does not need to be mutable", """
        A binding is declared `mut` but the program never assigns to it,
        borrows it `&mut`, calls a `&mut self` method on it or calls it as a
        closure.  Remove the `mut`.  Bindings declared with `var` are not
        reported.
    """, """
        fn main() {
            let mut total = 1.5;
            println!("{}", total);
        }
    """, """
        fn main() {
            let total = 1.5;
            println!("{}", total);
        }
    """),
    _code("SXW007", "option without effect", """
        A command-line option was given where it has no effect, such as
        `--hard threshold` without `--mode release`.  The message names the
        option and what it needs.
    """),
    _code("SXW008", "type annotation of a closure ignored", """
        The original Simplex toolchain types a variable that stores a closure
        as an integer.  In programs written for it (whose `main` returns an
        integer), sxc ignores such an annotation with this warning.  Leave
        the type out.
    """, """
        fn main() -> i64 {
            let add_one: i64 = |x: i64| x + 1;
            add_one(1)
        }
    """, """
        fn main() -> i64 {
            let add_one = |x: i64| x + 1;
            add_one(1)
        }
    """),
    _code("SXW009", "unknown escape read as its character", """
        The original Simplex toolchain reads an unknown escape such as `\\d`
        as the character after the backslash.  In programs written for it
        (whose `main` returns an integer), sxc does the same with this
        warning, and in other programs the escape is error SX0109.  Write
        `\\\\` for a backslash.
    """, r"""
        fn main() -> i64 {
            println("a\qb");
            0
        }
    """, r"""
        fn main() -> i64 {
            println("a\\qb");
            0
        }
    """),
]

CODES: dict[str, Code] = {entry.code: entry for entry in _ALL}


def lookup(code: str) -> Code | None:
    """Return the registered code, accepting lower case (`sx0301`)."""
    return CODES.get(code.strip().upper())
