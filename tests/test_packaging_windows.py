"""The Windows installer, build script and CI workflow, read as data (none can run here).

The Inno Setup script is read with a small reader (sections, ``Key=Value`` directives,
``Param: value; ...`` entries and the preprocessor's ``#define``/``#ifndef``/``#if``
lines) and checked against the rules of docs/windows-install.md: per user without
administrator rights, never Program Files, the version from the build, the files from
the folder packaging/npc-crf.spec makes, both Start-menu entries, and no delete entry
that could reach the site data. The workflow YAML and packaging/build.ps1 are checked
against the same contract, so the four files cannot drift apart.
"""

from __future__ import annotations

import fnmatch
import ntpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
from typing import Any

import pytest
import yaml

import npc_crf

ROOT = Path(__file__).resolve().parents[1]
ISS = ROOT / "packaging" / "windows" / "npc-crf.iss"
BUILD_PS1 = ROOT / "packaging" / "build.ps1"
SPEC = ROOT / "packaging" / "npc-crf.spec"
WORKFLOW = ROOT / ".github" / "workflows" / "windows-build.yml"
DOC = ROOT / "docs" / "windows-install.md"

# The installer's identity: it must never change between releases (docs/windows-install.md).
APP_ID = "{{5A9BFE71-4485-47B9-8FEC-589CCDF9FEEF}"


# --- A reader for Inno Setup scripts ------------------------------------------------------------


@dataclass
class Entry:
    """One ``Param: value; ...`` line of a section, with where it is."""

    line: int
    params: dict[str, str]
    conditional: bool  # inside a preprocessor #if/#ifdef/#ifndef block


@dataclass
class IssScript:
    """What the tests need of an Inno Setup script."""

    path: Path
    setup: dict[str, str] = field(default_factory=dict)  # [Setup] directives, lower-case keys
    sections: dict[str, list[Entry]] = field(default_factory=dict)  # lower-case names
    defines: dict[str, str] = field(default_factory=dict)  # #define NAME expression
    required: set[str] = field(default_factory=set)  # #ifndef NAME followed by #error
    conditions: list[str] = field(default_factory=list)  # the #if expressions
    code_lines: list[tuple[int, str]] = field(default_factory=list)  # non-comment lines

    def entries(self, section: str) -> list[Entry]:
        return self.sections.get(section.lower(), [])


def parse_params(text: str, where: str) -> dict[str, str]:
    """``Name: "value"; Flags: a b`` -> {"name": "value", "flags": "a b"} (``""`` inside
    a quoted value is one quote, as in Inno Setup)."""
    params: dict[str, str] = {}
    i = 0
    while i < len(text):
        match = re.compile(r"\s*(\w+)\s*:\s*").match(text, i)
        if match is None:
            raise ValueError(f"{where}: expected 'Name: value' at column {i + 1}.")
        name, i = match.group(1).lower(), match.end()
        if text.startswith('"', i):
            value, i = [], i + 1
            while True:
                end = text.find('"', i)
                if end < 0:
                    raise ValueError(f"{where}: the value of {name} has no closing quote.")
                value.append(text[i:end])
                if text.startswith('""', end):
                    value.append('"')
                    i = end + 2
                    continue
                i = end + 1
                break
            params[name] = "".join(value)
        else:
            end = text.find(";", i)
            end = len(text) if end < 0 else end
            params[name] = text[i:end].strip()
            i = end
        rest = re.compile(r"\s*(;|$)").match(text, i)
        if rest is None:
            raise ValueError(f"{where}: expected ';' after the value of {name}.")
        i = rest.end()
    return params


def read_iss(path: Path) -> IssScript:
    """Read the script at ``path`` (an error names the file and line)."""
    script = IssScript(path)
    section = ""
    depth = 0
    lines = path.read_text(encoding="ascii").splitlines()
    for number, raw in enumerate(lines, start=1):
        where = f"{path.name}:{number}"
        line = raw.strip()
        if not line or line.startswith(";"):
            continue
        script.code_lines.append((number, line))
        if line.startswith("#"):
            words = line[1:].split(None, 2)
            directive = words[0].lower() if words else ""
            if directive in {"if", "ifdef", "ifndef"}:
                depth += 1
                if directive == "if":
                    script.conditions.append(line[3:].strip())
                if directive == "ifndef" and number < len(lines):
                    following = lines[number].strip().lower()
                    if following.startswith("#error"):
                        script.required.add(words[1])
            elif directive == "endif":
                depth -= 1
            elif directive == "define":
                script.defines[words[1]] = words[2] if len(words) > 2 else ""
            continue
        heading = re.fullmatch(r"\[(\w+)\]", line)
        if heading:
            section = heading.group(1).lower()
            script.sections.setdefault(section, [])
            continue
        if not section:
            raise ValueError(f"{where}: text outside any section.")
        if section == "setup":
            key, sep, value = line.partition("=")
            if not sep:
                raise ValueError(f"{where}: a [Setup] line must be Directive=Value.")
            script.setup[key.strip().lower()] = value.strip()
        else:
            script.sections[section].append(
                Entry(number, parse_params(line, where), conditional=depth > 0)
            )
    if depth != 0:
        raise ValueError(f"{path.name}: an #if block is not closed with #endif.")
    return script


def evaluate(script: IssScript, expression: str, given: dict[str, str]) -> str:
    """A preprocessor expression of string literals and names joined by ``+``.
    ``SourcePath`` is the script's folder with a trailing backslash; ``given`` are /D
    definitions from the command line."""
    parts = []
    for term in (t.strip() for t in expression.split("+")):
        if term.startswith('"') and term.endswith('"'):
            parts.append(term[1:-1])
        elif term == "SourcePath":
            parts.append(str(PureWindowsPath(script.path.parent)) + "\\")
        elif term in given:
            parts.append(given[term])
        elif term in script.defines:
            parts.append(evaluate(script, script.defines[term], given))
        else:
            raise ValueError(f"{script.path.name}: cannot evaluate {term!r} in {expression!r}.")
    return "".join(parts)


def expand(script: IssScript, text: str, given: dict[str, str]) -> str:
    """Replace the inline ``{#Name}`` expressions of ``text``."""
    return re.sub(r"\{#(\w+)\}", lambda m: evaluate(script, m.group(1), given), text)


def windows_path(text: str) -> Path:
    """A Windows path from the script as a normalized path on this machine."""
    return Path(ntpath.normpath(text).replace("\\", "/"))


@pytest.fixture(scope="module")
def iss() -> IssScript:
    return read_iss(ISS)


@pytest.fixture(scope="module")
def given() -> dict[str, str]:
    """What packaging/build.ps1 passes to ISCC.exe for this version."""
    return {"AppVersion": npc_crf.__version__, "AppFileVersion": npc_crf.__version__}


# --- The reader itself ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'Name: "{group}\\a"; Filename: "{app}\\a.exe"',
            {"name": "{group}\\a", "filename": "{app}\\a.exe"},
        ),
        ('Parameters: "/k """"x"" y"""', {"parameters": '/k ""x" y"'}),
        (
            "Type: filesandordirs; Name: {app}\\_internal",
            {"type": "filesandordirs", "name": "{app}\\_internal"},
        ),
        ('Flags: a b; Comment: "semi; colon"', {"flags": "a b", "comment": "semi; colon"}),
    ],
)
def test_entry_parameters_are_read_as_inno_setup_reads_them(
    text: str, expected: dict[str, str]
) -> None:
    assert parse_params(text, "t") == expected


@pytest.mark.parametrize("text", ['Name "x"', 'Name: "x', 'Name: "x" Flags: y'])
def test_malformed_entries_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"^t: "):
        parse_params(text, "t")


# --- Per user, without administrator rights --------------------------------------------------------


@pytest.mark.parametrize(
    ("directive", "expected"),
    [
        ("PrivilegesRequired", "lowest"),
        ("ArchitecturesAllowed", "x64compatible"),
        ("ArchitecturesInstallIn64BitMode", "x64compatible"),
        ("MinVersion", "10.0.17763"),  # Windows 10 version 1809
        ("DisableDirPage", "yes"),
        ("CloseApplications", "yes"),
        ("AppId", APP_ID),  # never changes between releases
    ],
)
def test_setup_directive(iss: IssScript, directive: str, expected: str) -> None:
    assert iss.setup.get(directive.lower()) == expected, f"{ISS.name}: [Setup] {directive}"


def test_no_switch_to_an_all_users_installation(iss: IssScript) -> None:
    # with an override allowed, /ALLUSERS or the dialog would install into Program Files
    assert iss.setup.get("privilegesrequiredoverridesallowed", "") == ""


ADMIN_ONLY = re.compile(
    r"\{(common\w*|pf|pf32|pf64|autopf\w*|sys|syswow64|sysnative|win|fonts|dotnet\w*)\}"
    r"|\bHKLM\w*|HKEY_LOCAL_MACHINE|\bHKA\b",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("DefaultDirName={commonpf}\\npc-crf", True),
        ("DefaultDirName={pf}\\npc-crf", True),
        ("DefaultDirName={autopf}\\npc-crf", True),
        ('Name: "{commonprograms}\\npc-crf"', True),
        ("Root: HKLM; Subkey: Software\\npc-crf", True),
        ("DefaultDirName={userpf}\\npc-crf", False),
        ('Name: "{group}\\npc-crf"', False),
    ],
)
def test_admin_only_places_are_recognised(text: str, bad: bool) -> None:
    assert bool(ADMIN_ONLY.search(text)) is bad


def test_script_uses_no_admin_only_place(iss: IssScript) -> None:
    found = [f"{ISS.name}:{n}: {line}" for n, line in iss.code_lines if ADMIN_ONLY.search(line)]
    assert found == []


def test_program_goes_to_the_per_user_program_folder(iss: IssScript, given: dict[str, str]) -> None:
    default_dir = expand(iss, iss.setup["defaultdirname"], given)
    assert re.fullmatch(r"(\{userpf\}|\{localappdata\}\\Programs)\\npc-crf", default_dir)


def test_script_is_plain_ascii() -> None:
    # Inno Setup reads a script without a byte-order mark as ANSI
    ISS.read_bytes().decode("ascii")


# --- Version, files and output ---------------------------------------------------------------------


def test_version_comes_from_the_build(iss: IssScript) -> None:
    assert "AppVersion" in iss.required, "the script must #error without /DAppVersion"
    assert "AppVersion" not in iss.defines, "AppVersion must not have a default in the script"
    assert iss.setup["appversion"] == "{#AppVersion}"
    text = BUILD_PS1.read_text(encoding="utf-8")
    assert re.search(r"\$version = .*import npc_crf; print\(npc_crf\.__version__\)", text)
    assert '"/DAppVersion=$version"' in text


def test_files_are_the_folder_the_spec_makes(iss: IssScript, given: dict[str, str]) -> None:
    files = iss.entries("Files")
    assert len(files) == 1
    entry = files[0].params
    assert windows_path(expand(iss, entry["source"], given)) == ROOT / "dist" / "npc-crf" / "*"
    assert entry["destdir"] == "{app}"
    assert {"recursesubdirs", "createallsubdirs"} <= set(entry["flags"].split())
    # the same folder in the build script's PyInstaller call and in the spec
    assert "--distpath dist" in BUILD_PS1.read_text(encoding="utf-8")
    assert SPEC.is_file(), "packaging/npc-crf.spec (the lead's PyInstaller build) is missing"
    assert re.search(r'COLLECT\((?s:.*)name="npc-crf"', SPEC.read_text(encoding="utf-8"))


def test_program_names_match_the_spec(iss: IssScript, given: dict[str, str]) -> None:
    assert SPEC.is_file(), "packaging/npc-crf.spec (the lead's PyInstaller build) is missing"
    spec_programs = set(re.findall(r'program\("([^"]+)"', SPEC.read_text(encoding="utf-8")))
    script_programs = {
        evaluate(iss, "GuiExe", given).removesuffix(".exe"),
        evaluate(iss, "CliExe", given).removesuffix(".exe"),
    }
    assert script_programs == spec_programs == {"npc-crf", "npc-crf-gui"}


def test_setup_program_lands_where_build_and_workflow_look(
    iss: IssScript, given: dict[str, str]
) -> None:
    output_dir = windows_path(expand(iss, iss.setup["outputdir"], given))
    name = expand(iss, iss.setup["outputbasefilename"], given) + ".exe"
    assert output_dir == ROOT / "dist"
    assert name == f"npc-crf-{npc_crf.__version__}-setup-x64.exe"
    assert '"npc-crf-$version-setup-x64.exe"' in BUILD_PS1.read_text(encoding="utf-8")
    uploaded = [step["with"]["path"] for step in upload_steps(read_workflow())]
    assert any(fnmatch.fnmatch(f"dist/{name}", pattern) for pattern in uploaded)


# --- Start menu ---------------------------------------------------------------------------------


def icons_by_name(iss: IssScript, given: dict[str, str]) -> dict[str, dict[str, str]]:
    return {expand(iss, e.params["name"], given): e.params for e in iss.entries("Icons")}


def test_start_menu_opens_the_desktop_application(iss: IssScript, given: dict[str, str]) -> None:
    icon = icons_by_name(iss, given)["{group}\\npc-crf"]
    assert expand(iss, icon["filename"], given) == "{app}\\npc-crf-gui.exe"


def test_start_menu_self_test_runs_in_a_console_that_stays_open(
    iss: IssScript, given: dict[str, str]
) -> None:
    icon = icons_by_name(iss, given)["{group}\\npc-crf self-test"]
    assert icon["filename"] == "{cmd}"
    switch, _, command = expand(iss, icon["parameters"], given).partition(" ")
    assert switch.lower() == "/k"
    # cmd /k strips the first and the last quote of a command with more than two quotes
    assert command.count('"') > 2 and command.startswith('"') and command.endswith('"')
    program = re.fullmatch(r'"([^"]+)" (.*)', command[1:-1])
    assert program is not None, command
    assert program.groups() == ("{app}\\npc-crf.exe", "--self-test")


def test_start_menu_has_an_uninstall_entry(iss: IssScript, given: dict[str, str]) -> None:
    targets = [icon["filename"] for icon in icons_by_name(iss, given).values()]
    assert "{uninstallexe}" in targets


def test_every_shortcut_is_in_the_users_own_start_menu(
    iss: IssScript, given: dict[str, str]
) -> None:
    # {group} is under the user's Start menu in non administrative install mode
    for name in icons_by_name(iss, given):
        assert name.startswith(("{group}\\", "{userprograms}\\")), name


# --- Languages ------------------------------------------------------------------------------------


def test_languages_english_always_chinese_when_the_compiler_has_it(iss: IssScript) -> None:
    languages = {e.params["name"]: e for e in iss.entries("Languages")}
    assert not languages["english"].conditional
    chinese = languages.get("chinesesimplified")
    if chinese is not None and chinese.conditional:
        file = chinese.params["messagesfile"].removeprefix("compiler:")
        assert any(f'FileExists(CompilerPath + "{file}")' in c for c in iss.conditions)


# --- The site data is never touched ---------------------------------------------------------------


def data_risk(name: str) -> str | None:
    """Why a delete entry's Name could reach user data, or None when it is program files only."""
    lowered = name.lower()
    if "{localappdata}" in lowered or "{userappdata}" in lowered or "{app" not in lowered:
        return f"{name} is outside the program folder"
    if not lowered.startswith("{app}\\") or lowered.rstrip("\\*") == "{app}":
        return f"{name} is not strictly inside the program folder"
    if ".." in lowered:
        return f"{name} climbs out of the program folder"
    return None


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("{app}\\_internal", True),
        ("{app}\\_internal\\*.pyd", True),
        ("{app}", False),
        ("{app}\\*", False),
        ("{app}\\..\\npc-crf", False),
        ("{localappdata}\\npc-crf", False),
        ("{localappdata}\\npc-crf\\site", False),
        ("{userappdata}\\npc-crf", False),
        ("{userdocs}\\npc-crf", False),
    ],
)
def test_data_risks_are_recognised(name: str, safe: bool) -> None:
    assert (data_risk(name) is None) is safe


@pytest.mark.parametrize("section", ["InstallDelete", "UninstallDelete"])
def test_delete_entries_touch_program_files_only(
    iss: IssScript, given: dict[str, str], section: str
) -> None:
    risks = [
        f"{ISS.name}:{e.line}: {risk}"
        for e in iss.entries(section)
        if (risk := data_risk(expand(iss, e.params["name"], given)))
    ]
    assert risks == []


def test_no_code_that_could_delete_at_install_or_uninstall(iss: IssScript) -> None:
    # a [Code] or [UninstallRun] section could delete anything; it needs its own review and test
    assert set(iss.sections) <= {
        "setup",
        "languages",
        "installdelete",
        "files",
        "icons",
        "run",
        "uninstalldelete",
    }


# --- The CI workflow ------------------------------------------------------------------------------


def read_workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def workflow_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def upload_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        s
        for s in workflow_steps(workflow)
        if str(s.get("uses", "")).startswith("actions/upload-artifact@")
    ]


def test_workflow_builds_on_windows_with_python_311() -> None:
    workflow = read_workflow()
    (job,) = workflow["jobs"].values()
    assert str(job["runs-on"]).startswith("windows-")
    assert job["defaults"]["run"]["shell"] == "pwsh"
    setups = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/setup-python@")]
    assert [s["with"]["python-version"] for s in setups] == ["3.11"]
    assert setups[0]["with"]["architecture"] == "x64"


def test_workflow_runs_the_build_script_with_the_installer() -> None:
    runs = [str(s.get("run", "")) for s in workflow_steps(read_workflow())]
    assert any(re.search(r"packaging\\build\.ps1\s+-Installer\b", r) for r in runs)
    assert any("choco install innosetup -y --no-progress" in r for r in runs)


def test_workflow_uploads_the_folder_and_the_installer() -> None:
    uploads = upload_steps(read_workflow())
    paths = [step["with"]["path"] for step in uploads]
    assert "dist/npc-crf/" in paths
    assert len(uploads) == 2
    assert all(step["with"]["if-no-files-found"] == "error" for step in uploads)


def test_workflow_triggers() -> None:
    workflow = read_workflow()
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    assert isinstance(triggers, dict)
    assert "v*" in triggers["push"]["tags"]
    assert "workflow_dispatch" in triggers


# --- The build script --------------------------------------------------------------------------------


def test_build_script_uses_the_spec_and_the_installer_script() -> None:
    text = BUILD_PS1.read_text(encoding="utf-8")
    assert "'packaging\\npc-crf.spec'" in text
    assert SPEC.is_file(), "packaging/npc-crf.spec (the lead's PyInstaller build) is missing"
    assert "'packaging\\windows\\npc-crf.iss'" in text and ISS.is_file()
    assert re.search(
        r"PyInstaller \$Spec --noconfirm .*--distpath dist --workpath 'build\\pyinstaller'", text
    )


def test_build_script_stops_on_any_failure() -> None:
    lines = BUILD_PS1.read_text(encoding="utf-8").splitlines()
    assert "$ErrorActionPreference = 'Stop'" in lines
    unchecked = []
    for number, line in enumerate(lines):
        if line.strip().startswith("& "):  # a native program
            following = " ".join(lines[number + 1 : number + 3])
            if "Assert-ExitCode" not in following and "$LASTEXITCODE" not in following:
                unchecked.append(f"{BUILD_PS1.name}:{number + 1}: {line.strip()}")
    assert unchecked == []


def test_build_script_compiles_translations_and_runs_the_self_test_offscreen() -> None:
    text = BUILD_PS1.read_text(encoding="utf-8")
    assert "pyside6-lrelease.exe" in text and "'resources\\i18n'" in text
    assert "'npc_crf\\ui\\i18n'" in text
    assert "$env:QT_QPA_PLATFORM = 'offscreen'" in text
    assert re.search(r"'npc-crf\.exe'\) --self-test\s*\n\s*Assert-ExitCode", text)
    assert "pip install --quiet '.[build]'" in text


# --- The documentation --------------------------------------------------------------------------------


def test_doc_matches_the_script(iss: IssScript, given: dict[str, str]) -> None:
    doc = DOC.read_text(encoding="utf-8")
    assert "%LOCALAPPDATA%\\Programs\\npc-crf" in doc  # {userpf}\npc-crf
    group = "{group}\\"
    for name in icons_by_name(iss, given):
        if name.startswith(group) and "{cm:" not in name:
            entry = name.removeprefix(group)
            assert f"**{entry}**" in doc, name
    assert "/CURRENTUSER /VERYSILENT" in doc


def test_doc_links_resolve() -> None:
    doc = DOC.read_text(encoding="utf-8")
    targets = set(re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc))
    assert targets, "the page links to no other page"
    missing = [t for t in targets if not (DOC.parent / t).is_file()]
    assert missing == []
