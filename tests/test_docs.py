"""The README and docs/ say what the code does: every command and option is there, every
snippet parses (and every TOML one is a settings file mentor-sync accepts), every relative
link leads somewhere, the demo's figures are the demo's own, and the GitHub Actions recipe
passes actionlint."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from jobs.cli import cli
from jobs.settings_file import load_settings

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
# Every page a reader can reach from the README, and whose snippets and links must hold.
PAGES = [README, *DOCS, ROOT / "CONTRIBUTING.md", ROOT / "benchmarks" / "README.md"]
FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w-]*)\s*$")
LINK = re.compile(r"\[[^\]]*\]\((?P<target>[^)\s]+)\)")


def fenced(text: str) -> list[tuple[str, str]]:
    """The fenced code blocks of a Markdown text, as (language, body), their indent removed."""
    blocks, lang, indent, body = [], None, 0, []
    for line in text.splitlines():
        fence = FENCE.match(line)
        if lang is None and fence:
            lang, indent, body = fence["lang"], len(fence["indent"]), []
        elif lang is not None and fence and len(fence["indent"]) == indent:
            blocks.append((lang, "\n".join(body) + "\n"))
            lang = None
        elif lang is not None:
            body.append(line[indent:])
    assert lang is None, "a code block is not closed"
    return blocks


def outside_code(text: str) -> list[str]:
    """The lines of a Markdown text that are not in a fenced code block."""
    lines, inside = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            inside = not inside
        elif not inside:
            lines.append(line)
    return lines


def prose(text: str) -> str:
    """The text without its code blocks and inline code, where links are."""
    return "\n".join(re.sub(r"`[^`]*`", "", line) for line in outside_code(text))


def section(text: str, heading: str) -> str:
    """The text under the `## heading` of a page, up to the next heading of that level."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no section '## {heading}'"
    return match[1]


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower().replace("`", ""))
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    found = set()
    for line in outside_code(page.read_text(encoding="utf-8")):
        if line.startswith("#"):
            base = slug(line.lstrip("#"))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def table_commands(readme: str) -> dict[str, str]:
    """The README's table of commands: each row's command name, with the row's first cell."""
    rows = {}
    for line in section(readme, "Commands").splitlines():
        cell = re.match(r"\| `(?P<usage>(?:[^`\\]|\\.)+)` \|", line)
        if cell:
            usage = cell["usage"].replace("\\|", "|")
            rows[usage.split()[0]] = usage
    return rows


def test_every_command_of_the_cli_is_in_the_readmes_table():
    listed = table_commands(README.read_text(encoding="utf-8"))
    assert "match" in listed and "demo" in listed
    assert set(cli.commands) - set(listed) == set()


def test_every_google_service_auth_signs_in_to_is_in_the_table():
    usage = table_commands(README.read_text(encoding="utf-8"))["auth"]
    (service,) = [p for p in cli.commands["auth"].params if p.name == "service"]
    assert isinstance(service.type, click.Choice)
    assert set(service.type.choices) <= set(usage.split()[1].split("|"))


def test_every_option_of_every_command_is_documented():
    """Each option where its command is: in a paragraph (or a table's or code block's line)
    of the README or docs/ that names the command (a flag another command documents does not count); the options every command
    takes (the group's) anywhere."""
    pages = [page.read_text(encoding="utf-8") for page in [README, *DOCS]]
    # A paragraph of prose, or one line of a table or a code block.
    sections = [
        unit
        for text in pages
        for paragraph in re.split(r"\n\s*\n", text)
        for unit in (
            paragraph.splitlines() if re.search(r"(?m)^(\||```)", paragraph) else [paragraph]
        )
    ]
    every = {option for param in cli.params for option in getattr(param, "opts", ())}

    def documented(name: str, option: str) -> bool:
        flag = re.compile(re.escape(option) + r"(?![\w-])")
        command = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        return any(
            flag.search(part) and (name == "mentor-sync" or command.search(part))
            for part in sections
        )

    commands = [("mentor-sync", cli), *cli.commands.items()]
    missing = [
        f"{name} {option}"
        for name, command in commands
        for param in command.params
        if isinstance(param, click.Option)
        for option in param.opts
        if option.startswith("--") and option != "--help"
        if not (name != "mentor-sync" and option in every)
        if not documented(name, option)
    ]
    assert missing == []


def test_the_readme_is_under_200_lines():
    assert len(README.read_text(encoding="utf-8").splitlines()) < 200


def test_the_quickstart_is_two_commands_and_the_second_is_what_ci_runs():
    quickstart = section(README.read_text(encoding="utf-8"), "Quickstart")
    commands = [
        line
        for lang, body in fenced(quickstart)
        if lang == "sh"
        for line in body.splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(commands) == 2
    install_and_demo, install_and_test = commands
    assert install_and_demo.startswith("python3 -m venv .venv && ")
    assert install_and_demo.endswith(" demo")
    assert install_and_test in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def snippets(*langs: str) -> list[tuple[str, str]]:
    return [
        (f"{page.relative_to(ROOT)} #{n}", body)
        for page in PAGES
        for n, (lang, body) in enumerate(fenced(page.read_text(encoding="utf-8")))
        if lang in langs
    ]


def cases(*langs: str) -> list:
    return [pytest.param(body, id=where) for where, body in snippets(*langs)]


@pytest.mark.parametrize("body", cases("toml"))
def test_every_toml_snippet_is_a_settings_file_mentor_sync_accepts(tmp_path, body):
    tomllib.loads(body)
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text(body, encoding="utf-8")
    load_settings(settings_file, environ={})  # an unknown or mistyped setting raises


@pytest.mark.parametrize("body", cases("yaml", "yml"))
def test_every_yaml_snippet_parses(body):
    assert yaml.safe_load(body)


def test_there_are_snippets_to_check():
    assert len(snippets("toml")) >= 4 and len(snippets("yaml", "yml")) >= 1


def broken_links(pages: list[Path]) -> list[str]:
    """The relative links of `pages` that lead to no file, or to no heading of the page."""
    broken = []
    for page in pages:
        for match in LINK.finditer(prose(page.read_text(encoding="utf-8"))):
            target = match["target"]
            if re.match(r"[a-z]+:", target):
                continue  # https:, mailto:
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in anchors(file):
                broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def test_every_relative_link_leads_to_a_file_and_heading_that_exist():
    assert broken_links(PAGES) == []


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path):
    (tmp_path / "other.md").write_text("# Other page\n\n## `init`, and more\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n[a](other.md#init-and-more) [b](#title) [c](https://example.org/x)"
        " `[not a link](nowhere.md)`\n[d](missing.md) [e](other.md#nothing) [f](#untitled)\n",
        encoding="utf-8",
    )
    assert broken_links([page]) == [
        "page.md: missing.md (no such file)",
        "page.md: other.md#nothing (no such heading)",
        "page.md: #untitled (no such heading)",
    ]


def test_the_demos_figures_in_the_docs_are_the_demos_own(tmp_path):
    folder = tmp_path / "demo"
    runner = CliRunner()
    demo = runner.invoke(cli, ["--as-of", "2026-11-30", "demo", "--dir", str(folder)])
    assert demo.exit_code == 0, demo.output
    settings = str(folder / "settings.toml")
    status = runner.invoke(cli, ["--config", settings, "--as-of", "2026-11-30", "status"])
    assert status.exit_code == 0, status.output
    said = demo.output.splitlines() + status.output.splitlines()
    readme = README.read_text(encoding="utf-8")
    quickstart = section(readme, "Quickstart")
    walkthrough = section(
        (ROOT / "docs" / "committee.md").read_text(encoding="utf-8"), "The demo, step by step"
    )
    quoted = [
        line
        for text in (quickstart, walkthrough)
        for lang, body in fenced(text)
        if not lang
        for line in body.splitlines()
    ]
    assert len(quoted) >= 4 and set(quoted) <= set(said)
    mentees, mentors = re.search(
        r"sample program of (\d+) mentees and (\d+) mentors", readme
    ).groups()
    assert f"applicants: {mentees} mentees, {mentors} mentors" in status.output


def actionlint() -> str | None:
    """actionlint beside this Python (a virtual environment's bin), or on the PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.exists() else shutil.which("actionlint")


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed")
def test_the_github_actions_recipe_passes_actionlint(tmp_path):
    text = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    (recipe,) = [body for lang, body in fenced(text) if lang == "yaml" and "jobs:" in body]
    workflow = tmp_path / ".github" / "workflows" / "mentor-sync.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(recipe, encoding="utf-8")
    checked = subprocess.run(
        [actionlint(), "-no-color", str(workflow)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.skipif(actionlint() is None, reason="actionlint is not installed")
def test_actionlint_flags_the_node_20_actions_of_the_old_recipe(tmp_path):
    text = (ROOT / "docs" / "running.md").read_text(encoding="utf-8")
    (recipe,) = [body for lang, body in fenced(text) if lang == "yaml" and "jobs:" in body]
    old = re.sub(r"actions/checkout@v\d+", "actions/checkout@v4", recipe)
    workflow = tmp_path / ".github" / "workflows" / "old.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(old, encoding="utf-8")
    checked = subprocess.run(
        [actionlint(), "-no-color", str(workflow)], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 1 and "actions/checkout@v4" in checked.stdout
