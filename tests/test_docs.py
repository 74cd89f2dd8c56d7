"""The documentation stays true: links and anchors resolve, the README stays a front door,
every ``mseed <command>`` (and its flags) named in the docs exists, and every module or name a
docstring or comment of the package points to (``mseed_multilingual.x.y``, ``:mod:`.x```) exists.

Each check is a function over Markdown text that returns its problems, so that the tests below
also prove, on small broken documents, that each check can fail.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from cli_run import mseed

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
README_MAX_BYTES = 10 * 1024
# The two commands the README opens with: they work on a fresh machine.
OPENING_COMMANDS = ("make demo", "make test")
PACKAGE = ROOT / "mseed_multilingual"
# The Python files whose docstrings and comments name the package's modules.
CODE = sorted([*PACKAGE.rglob("*.py"), *(ROOT / "tasks").rglob("*.py"),
               *(ROOT / "benchmarks").rglob("*.py")])
DOCS = sorted([README, ROOT / "CONTRIBUTING.md", ROOT / "benchmarks" / "README.md",
               *(ROOT / "docs").glob("*.md")])

_FENCE = re.compile(r"^(```|~~~)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LINK = re.compile(r"(?<!!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?\s*\)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_COMMAND = re.compile(r"(?<![\w.-])mseed[ \t]+([a-zA-Z][\w-]*)")
_FLAG = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*)")
# Where a shell command ends on its line: a comment, a pipe, a redirection, a sequence.
_COMMAND_END = re.compile(r"\s#|\s\||\s>|&&|;|\)")


def split_code(text: str) -> tuple[str, list[str]]:
    """(prose, fenced blocks): the text with fenced code blocks blanked out (line numbers kept),
    and the blocks themselves. Headings and links inside code are not headings and links."""
    prose, blocks, block, fence = [], [], [], None
    for line in text.splitlines():
        m = _FENCE.match(line.lstrip())
        if fence is None and m:
            fence, block = m.group(1), []
            prose.append("")
        elif fence is not None and line.lstrip().startswith(fence):
            fence = None
            blocks.append("\n".join(block))
            prose.append("")
        elif fence is not None:
            block.append(line)
            prose.append("")
        else:
            prose.append(line)
    return "\n".join(prose), blocks


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: inline markup dropped, lower case, every character
    that is not a letter, a digit, a space, ``-`` or ``_`` removed, spaces turned into ``-``
    (runs of hyphens are kept, as GitHub keeps them)."""
    text = _INLINE_CODE.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text)  # HTML tags
    text = text.replace("*", "").lower()
    kept = (c for c in text
            if c in " -_" or unicodedata.category(c)[0] in "LNM")
    return "".join(kept).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading's anchor in a Markdown text, with GitHub's -1, -2 for repeated headings."""
    prose, _ = split_code(text)
    seen: dict[str, int] = {}
    out = set()
    for line in prose.splitlines():
        m = _HEADING.match(line)
        if not m:
            continue
        slug = github_slug(m.group(2))
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def link_problems(path: Path, text: str) -> list[str]:
    """Relative links (and images) of one Markdown file whose target file or #anchor does not
    exist. Web and mail links are not followed (no network in the tests)."""
    prose, _ = split_code(text)
    prose = _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), prose)
    problems = []
    for lineno, line in enumerate(prose.splitlines(), 1):
        targets = [m.group(1) for m in _LINK.finditer(line)]
        targets += [m.group(1) for m in _IMAGE.finditer(line)]
        for target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
                continue
            where = f"{path.name}:{lineno}: {target}"
            file_part, _, anchor = target.partition("#")
            if not file_part:
                if anchor not in anchors(text):
                    problems.append(f"{where}: no heading with that anchor in {path.name}")
                continue
            dest = (path.parent / file_part).resolve()
            if not dest.exists():
                problems.append(f"{where}: no such file")
            elif anchor and (dest.is_dir() or dest.suffix != ".md"):
                problems.append(f"{where}: an anchor into a file that is not Markdown")
            elif anchor and anchor not in anchors(dest.read_text(encoding="utf-8")):
                problems.append(f"{where}: no heading with that anchor in {dest.name}")
    return problems


def command_lines(text: str) -> list[str]:
    """The pieces of code (fenced blocks with backslash continuations joined, and inline code
    spans) that can name ``mseed`` commands. Prose outside code is not parsed."""
    prose, blocks = split_code(text)
    pieces = []
    for block in blocks:
        pieces += block.replace("\\\n", " ").splitlines()
    pieces += [m.group(2).replace("\n", " ") for m in _INLINE_CODE.finditer(prose)]
    return pieces


def commands_named(text: str) -> list[tuple[str, list[str], list[str]]]:
    """(command, words after it, flags) for every ``mseed <command>`` in the code of a text."""
    found = []
    for piece in command_lines(text):
        for m in _COMMAND.finditer(piece):
            rest = piece[m.end():]
            end = _COMMAND_END.search(rest)
            rest = rest[:end.start()] if end else rest
            nested = _COMMAND.search(rest)
            rest = rest[:nested.start()] if nested else rest
            found.append((m.group(1), rest.split(), _FLAG.findall(rest)))
    return found


# Code spans that name a path of this repository: a top folder, or a stage folder of the
# package (`judges/kinds.py` is mseed_multilingual/judges/kinds.py). Placeholders (<lang>, *,
# {a,b}) and paths of the user's own files (runs/, report/, build/ ...) are not checked.
REPO_FOLDERS = ("mseed_multilingual", "tasks", "tests", "translations", "benchmarks",
                "notebooks", "adapters", "docs")
PACKAGE = "mseed_multilingual"
_PATH_SPAN = re.compile(r"^[\w.-]+(?:/[\w.-]+)*/?$")
_MODULE = re.compile(r"(?<![\w.])mseed_multilingual(?:\.[a-z_]\w*)+")


def stage_folders(root: Path) -> set[str]:
    """The package's subpackages (core, judges, ...): a path may start with one of them."""
    return {p.parent.name for p in (root / PACKAGE).glob("*/__init__.py")}


def path_problems(name: str, text: str, root: Path = ROOT) -> list[str]:
    """Repository paths and ``mseed_multilingual.x.y`` modules named in the code of a text that
    do not exist, so that CONTRIBUTING's map and the pages' module names stay true."""
    stages = stage_folders(root)
    problems = []
    for piece in command_lines(text):
        for span in [piece.strip()] + piece.split():
            span = span.strip("`'\"(),;:")
            if not _PATH_SPAN.match(span) or "/" not in span:
                continue
            first = span.split("/", 1)[0]
            if first in REPO_FOLDERS:
                target = root / span
            elif first in stages:
                target = root / PACKAGE / span
            else:
                continue
            if not span.endswith("/") and "." not in span.rsplit("/", 1)[-1]:
                continue  # a name without an extension: a placeholder or the user's folder
            if not target.exists():
                problems.append(f"{name}: {span}: no such path")
        for module in _MODULE.findall(piece):
            base = root / module.replace(".", "/")
            if not (base.with_suffix(".py").exists() or (base / "__init__.py").exists()):
                problems.append(f"{name}: {module}: no such module")
    return sorted(set(problems))


def _help(*words: str) -> str:
    out = mseed(*words, "--help")
    assert out.returncode == 0, out.stderr
    return out.stdout


def subcommands(help_text: str) -> set[str]:
    """The subcommands listed in an argparse help text (``{a,b}`` usage or the indented
    list under ``COMMAND``)."""
    names = set()
    for group in re.findall(r"\{([a-z0-9,-]+)\}", help_text):
        names |= set(group.split(","))
    for line in help_text.splitlines():
        m = re.match(r"^    ([a-z][a-z0-9-]*)(\s|$)", line)
        if m:
            names.add(m.group(1))
    return names


def command_problems(text: str, name: str, known: set[str],
                     help_of: Callable[..., str]) -> list[str]:
    """``mseed <command>`` uses in a text whose command, subcommand or flag does not exist."""
    problems = []
    for command, words, flags in commands_named(text):
        if command not in known:
            problems.append(f"{name}: mseed {command}: not a command of `mseed --help`")
            continue
        help_text = help_of(command)
        sub = subcommands(help_text)
        if sub and words and words[0] in sub:
            help_text = help_of(command, words[0])
        for flag in flags:
            if not re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", help_text):
                problems.append(f"{name}: mseed {command}: {flag} is not in its --help")
    return problems


# --- names in docstrings and comments ------------------------------------------------------

_ABSOLUTE = re.compile(r"(?<![\w./])mseed_multilingual(?:\.[A-Za-z_]\w*)+")
# Sphinx cross-references (:mod:`.x`, :func:`~a.b`) and "see .x" in prose.
_ROLE = re.compile(r":(mod|func|class|meth|data|attr|obj|exc):`(~?[\w.]+)`")
_SEE = re.compile(r"\bsee (\.[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)")


def _defined(node: ast.stmt) -> Iterable[tuple[str, list[ast.stmt], str | None]]:
    """(name, class body, import target) for each name a statement binds."""
    if isinstance(node, ast.ClassDef):
        yield node.name, node.body, None
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        yield node.name, [], None
    elif isinstance(node, ast.Assign | ast.AnnAssign):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for name in (n for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)):
            yield name.id, [], None
    elif isinstance(node, ast.Import):
        for alias in node.names:
            yield ((alias.asname, [], alias.name) if alias.asname
                   else (alias.name.split(".")[0], [], alias.name.split(".")[0]))
    elif isinstance(node, ast.ImportFrom):
        for alias in node.names:
            yield alias.asname or alias.name, [], f"{node.module}.{alias.name}"
    elif isinstance(node, ast.If | ast.Try):  # `if TYPE_CHECKING:`, `try: import x`
        for child in [*node.body, *node.orelse, *getattr(node, "handlers", [])]:
            if isinstance(child, ast.stmt):
                yield from _defined(child)


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class Names:
    """The dotted names some Python files define (modules, top-level names, class members) and
    what each module's imported names stand for."""

    def __init__(self, files: Iterable[Path], root: Path = ROOT):
        self.modules: set[str] = set()
        self.defined: set[str] = set()
        self.imports: dict[str, dict[str, str]] = {}
        for path in files:
            module = module_name(path, root)
            self.modules.add(module)
            imports = self.imports.setdefault(module, {})
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                for name, body, target in _defined(node):
                    self.defined.add(f"{module}.{name}")
                    if target:
                        imports[name] = target
                    self.defined |= {f"{module}.{name}.{member}" for child in body
                                     for member, _, _ in _defined(child)}
        self.defined |= self.modules

    def exists(self, name: str, module_only: bool = False) -> bool:
        return name in (self.modules if module_only else self.defined)

    def resolves(self, target: str, module: str, module_only: bool = False) -> bool:
        """Whether a cross-reference written in ``module`` names something. ``.x.y`` is read
        as a relative import would be (from the module, its package, then each package above:
        never a same-named module elsewhere); ``a.b`` through the module's own names and
        imports; a name outside the project (``json.loads``) is not checked."""
        if target.startswith("."):
            rest = target.lstrip(".")
            parts = module.split(".")[:len(module.split(".")) - (len(target) - len(rest) - 1)]
            return any(self.exists(".".join(parts[:i]) + "." + rest, module_only)
                       for i in range(len(parts), 0, -1))
        head, _, rest = target.partition(".")
        imported = self.imports.get(module, {}).get(head)
        full = (f"{imported}.{rest}" if rest else imported) if imported else None
        if imported and full.split(".")[0] not in {m.split(".")[0] for m in self.modules}:
            return True  # imported from outside the project: `from json import loads`
        if not imported and rest and head not in {m.rsplit(".", 1)[-1] for m in self.modules}:
            return True  # outside the project: json.dumps
        candidates = [f"{module}.{target}", target, *([full] if full else [])]
        if not imported:  # as Sphinx looks a name up when the module does not have it
            candidates += [n for n in self.defined if n.endswith("." + target)]
        return any(self.exists(c, module_only) for c in candidates)


def prose_of(source: str) -> Iterable[tuple[int, str]]:
    """(line, text) of every comment and string literal: where docstrings name modules."""
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in (tokenize.COMMENT, tokenize.STRING):
            yield tok.start[0], tok.string


def name_problems(files: Iterable[Path], root: Path = ROOT) -> list[str]:
    """Names in docstrings and comments that point at no module, function, class or constant."""
    files = list(files)
    names = Names(files, root)
    problems = []
    for path in files:
        module = module_name(path, root)
        for first, text in prose_of(path.read_text(encoding="utf-8")):
            found = [(m, m.group(0), False) for m in _ABSOLUTE.finditer(text)]
            found += [(m, m.group(2).lstrip("~"), m.group(1) == "mod")
                      for m in _ROLE.finditer(text)]
            found += [(m, m.group(1), True) for m in _SEE.finditer(text)]
            for match, target, module_only in sorted(found, key=lambda f: f[0].start()):
                if not names.resolves(target, module, module_only):
                    line = first + text.count("\n", 0, match.start())
                    problems.append(f"{path.relative_to(root).as_posix()}:{line}: "
                                    f"{match.group(0)}: no such "
                                    f"{'module' if module_only else 'module or name'}")
    return problems


@pytest.fixture(scope="module")
def help_of():
    cache: dict[tuple[str, ...], str] = {}

    def get(*words: str) -> str:
        if words not in cache:
            cache[words] = _help(*words)
        return cache[words]

    return get


def _all(check: Iterable[list[str]]) -> list[str]:
    return [p for problems in check for p in problems]


# --- the documents -------------------------------------------------------------------------

def test_the_documents_exist():
    assert [p.relative_to(ROOT).as_posix() for p in DOCS if not p.exists()] == []
    assert len(DOCS) > 4


def test_every_relative_link_and_anchor_resolves():
    problems = _all(link_problems(p, p.read_text(encoding="utf-8")) for p in DOCS)
    assert problems == []


def test_readme_is_a_front_door_under_10_kb():
    size = len(README.read_bytes())
    assert size < README_MAX_BYTES, f"README.md is {size} bytes; move reference text to docs/"


def test_readme_opens_with_the_two_commands():
    assert readme_opening_problems(README.read_text(encoding="utf-8")) == []


def readme_opening_problems(text: str) -> list[str]:
    """The README's first code block must be the two fresh-machine commands, in order, before
    any section heading."""
    first_section = re.search(r"^## ", text, re.M)
    head = text[:first_section.start()] if first_section else text
    _, blocks = split_code(head)
    if not blocks:
        return ["no code block before the first section"]
    lines = [ln.split("#")[0].strip() for ln in blocks[0].splitlines() if ln.strip()]
    if tuple(lines) != OPENING_COMMANDS:
        return [f"the first code block is {lines}, not {list(OPENING_COMMANDS)}"]
    return []


def test_every_mseed_command_named_in_the_docs_exists(help_of):
    known = subcommands(help_of())
    assert {"run", "judge", "transfer", "submit"} <= known  # the parse found the list
    problems = _all(command_problems(p.read_text(encoding="utf-8"), p.relative_to(ROOT).as_posix(),
                                     known, help_of) for p in DOCS)
    assert problems == []


def test_every_repository_path_and_module_named_in_the_docs_exists():
    problems = _all(path_problems(p.relative_to(ROOT).as_posix(), p.read_text(encoding="utf-8"))
                    for p in DOCS)
    assert problems == []


def test_every_module_named_in_a_docstring_or_comment_exists():
    assert name_problems(CODE) == []


def test_the_docs_name_every_command(help_of):
    """Every subcommand has a reference somewhere in the docs (a new command lands with its
    documentation)."""
    named = {c for p in DOCS for c, _, _ in commands_named(p.read_text(encoding="utf-8"))}
    missing = subcommands(help_of()) - named
    assert missing == set()


USER_DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]  # what a researcher reads


def test_a_served_translation_command_fits_a_cpu():
    """A copyable `mseed translate` against the embedded model behind `mseed serve` names a
    --max-tokens below the default (256 tokens are minutes per item on a CPU), as the CLI's
    parser reads the command."""
    problems = _all(served_translate_problems(p.read_text(encoding="utf-8"), p.name)
                    for p in USER_DOCS)
    assert problems == []
    assert any("--backend openai:smollm2" in x for x in
               command_lines((ROOT / "docs" / "translate.md").read_text(encoding="utf-8")))


def test_mseed_is_put_on_path_before_the_readme_first_uses_it():
    assert venv_problems(README.read_text(encoding="utf-8")) == []


def test_no_command_in_the_docs_points_into_this_machines_shared_folder():
    problems = _all(shared_problems(p.read_text(encoding="utf-8"), p.name) for p in USER_DOCS)
    assert problems == []


def served_translate_problems(text: str, name: str) -> list[str]:
    """`mseed translate --backend openai:... --base-url http://127.0.0.1...` commands whose
    --max-tokens (as the CLI's parser reads it) is missing or not below the default."""
    import shlex

    from mseed_multilingual.commands import build_parser
    from mseed_multilingual.core.models import EMBEDDED_MODEL
    from mseed_multilingual.translate.llm import DEFAULT_MAX_TOKENS

    problems = []
    for piece in command_lines(text):
        m = re.search(r"(?<![\w.-])mseed\s+translate\b.*", piece)
        if not m or f"openai:{EMBEDDED_MODEL}" not in piece or "http://127.0.0.1" not in piece:
            continue  # the embedded model behind `mseed serve`: on a CPU, always
        words = shlex.split(_COMMAND_END.split(m.group(0))[0])[1:]
        args = build_parser().parse_args(words)
        if args.max_tokens is None or args.max_tokens >= DEFAULT_MAX_TOKENS:
            problems.append(f"{name}: {m.group(0)[:60]}...: --max-tokens {args.max_tokens}, "
                            f"not below the default {DEFAULT_MAX_TOKENS}")
    return problems


def venv_problems(text: str) -> list[str]:
    """The first shell line that runs bare `mseed` must come after `. .venv/bin/activate`
    (make demo installs into .venv, not onto PATH)."""
    _, blocks = split_code(text)
    for line in (ln.strip() for b in blocks for ln in b.splitlines()):
        if re.match(r"(?:source|\.)\s+\.venv/bin/activate\b", line):
            return []
        if re.match(r"mseed\s", line):
            return [f"`{line[:50]}` runs mseed before `. .venv/bin/activate`"]
    return []


def shared_problems(text: str, name: str) -> list[str]:
    """Commands must not name `../shared` (this project's machines' folder, meaningless to a
    reader): they use `$MSEED`, which the document sets (`MSEED=...`) before using it."""
    problems, defined = [], False
    _, blocks = split_code(text)  # prose may say what ../shared is, as data.md does
    for piece in (ln for b in blocks for ln in b.splitlines()):
        if "../shared" in piece:
            problems.append(f"{name}: `{piece.strip()[:50]}` names ../shared")
        if re.match(r"\s*MSEED=", piece):
            defined = True
        elif re.search(r"\$MSEED\b", piece) and not defined:
            problems.append(f"{name}: `{piece.strip()[:50]}` uses $MSEED before MSEED= sets it")
    return problems


# --- each check can fail -------------------------------------------------------------------

def test_served_venv_and_shared_checks_fail_on_the_old_text():
    old = ("```sh\nmseed translate --input ../shared/mseed/MSEED-Evaluation.txt --langs en \\\n"
           "  --backend openai:smollm2 --base-url http://127.0.0.1:8000/v1 -o t\n```\n")
    assert served_translate_problems(old, "x.md") and shared_problems(old, "x.md")
    assert venv_problems(old)
    assert shared_problems("```sh\nmseed data inspect \"$MSEED/f.txt\"\n```\n", "x.md")
    assert venv_problems("```sh\n. .venv/bin/activate\nmseed run\n```\n") == []

def test_github_slugs_match_githubs_rule():
    assert github_slug("Generating answers: lm-eval tasks and `mseed run`") == \
        "generating-answers-lm-eval-tasks-and-mseed-run"
    assert github_slug("How far a judge can be trusted: `mseed judge-check`") == \
        "how-far-a-judge-can-be-trusted-mseed-judge-check"
    assert github_slug("`train_throughput.py`") == "train_throughputpy"
    assert github_slug("Data - a / b") == "data---a--b"
    assert anchors("# A\n## A\n```\n# not a heading\n```\n") == {"a", "a-1"}


def test_link_check_finds_a_missing_file_and_a_missing_anchor(tmp_path):
    (tmp_path / "other.md").write_text("# Present\n", encoding="utf-8")
    doc = tmp_path / "doc.md"
    text = ("# Here\n[ok](other.md#present) [self](#here) [web](https://example.org/x)\n"
            "[gone](missing.md) [bad](other.md#absent) [self-bad](#nowhere)\n"
            "`[in code](missing-too.md)`\n```\n[in a block](missing-3.md)\n```\n")
    problems = link_problems(doc, text)
    assert [p.split(": ", 1)[1] for p in problems] == [
        "missing.md: no such file",
        "other.md#absent: no heading with that anchor in other.md",
        "#nowhere: no heading with that anchor in doc.md"]


def test_readme_opening_check_fails_on_another_opening():
    good = "# t\n\n```sh\nmake demo   # x\nmake test   # y\n```\n\n## Next\n"
    assert readme_opening_problems(good) == []
    assert readme_opening_problems("# t\n\n## Next\n```sh\nmake demo\nmake test\n```\n")
    assert readme_opening_problems("# t\n```sh\nmake test\nmake demo\n```\n")


def test_command_check_finds_unknown_commands_and_flags(help_of):
    known = subcommands(help_of())
    text = ("`mseed judge RUN --judge lexicon`\n"
            "```sh\nmseed transfer --before a \\\n  --after b --no-such-flag -o r  # --ignored\n"
            "mseed data inspect F --strict\nmseed data inspect F --bogus\n"
            ".venv/bin/mseed demo\n```\n"
            "`mseed jduge RUN` `mseed transferX`\n")
    assert command_problems(text, "t.md", known, help_of) == [
        "t.md: mseed transfer: --no-such-flag is not in its --help",
        "t.md: mseed data: --bogus is not in its --help",
        "t.md: mseed jduge: not a command of `mseed --help`",
        "t.md: mseed transferX: not a command of `mseed --help`"]


def test_path_check_finds_moved_files_and_modules():
    text = ("`judges/kinds.py` `core/stats.py` `tests/test_docs.py` `translations/sample/`\n"
            "`runs/mine/x.json` `translations/<lang>.jsonl` `translations/my-set`\n"
            "```sh\npython -c 'from mseed_multilingual.core.models import f'\n"
            "python -m mseed_multilingual.data.sample\n```\n"
            "`judges/runner.py` `mseed_multilingual/results.py` `core/`\n"
            "`python -m mseed_multilingual.sample`\n")
    assert path_problems("t.md", text) == [
        "t.md: judges/runner.py: no such path",
        "t.md: mseed_multilingual.sample: no such module",
        "t.md: mseed_multilingual/results.py: no such path"]


def test_name_check_finds_moved_modules_and_names(tmp_path):
    pkg = tmp_path / "mseed_multilingual"
    for folder in ("core", "other"):
        (pkg / folder).mkdir(parents=True)
        (pkg / folder / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "other" / "inert.py").write_text("")
    (pkg / "core" / "io.py").write_text(
        "from json import loads\n\nLIMIT = 3\n\n\nclass Reader:\n    def rows(self): ...\n")
    (pkg / "core" / "use.py").write_text(
        '"""Reads with :mod:`mseed_multilingual.core.io` (:class:`.io.Reader`,\n'
        ':meth:`.io.Reader.rows`, :data:`~mseed_multilingual.core.io.LIMIT`, :func:`loads`,\n'
        ':func:`json.dumps`); see .io.\n\n'
        "Moved: mseed_multilingual.results, :mod:`.variants`, :func:`.io.read_rows`.\n"
        '"""\nfrom mseed_multilingual.core import io\n\n'
        "# :func:`io.LIMIT` :func:`io.nothing` :data:`NOWHERE`; see .inert (not other.inert)\n"
        "# :class:`..core.io.Reader` :mod:`..other.inert` :mod:`..nowhere`\n"
        'x = "mseed_multilingual.runs"\n')
    assert name_problems(sorted(pkg.rglob("*.py")), tmp_path) == [
        "mseed_multilingual/core/use.py:5: mseed_multilingual.results: no such module or name",
        "mseed_multilingual/core/use.py:5: :mod:`.variants`: no such module",
        "mseed_multilingual/core/use.py:5: :func:`.io.read_rows`: no such module or name",
        "mseed_multilingual/core/use.py:9: :func:`io.nothing`: no such module or name",
        "mseed_multilingual/core/use.py:9: :data:`NOWHERE`: no such module or name",
        "mseed_multilingual/core/use.py:9: see .inert: no such module",
        "mseed_multilingual/core/use.py:10: :mod:`..nowhere`: no such module",
        "mseed_multilingual/core/use.py:11: mseed_multilingual.runs: no such module or name"]
