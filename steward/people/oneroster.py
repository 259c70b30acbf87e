"""Read and validate a OneRoster CSV package (1.1 or 1.2). Pure Python: no Django import.

A package is a folder or a ZIP holding ``manifest.csv`` and the CSV files it declares:
``orgs.csv``, ``users.csv``, 1.2's ``roles.csv``, and optionally ``classes.csv`` and
``enrollments.csv`` (see ../shared/reference/platforms.md §7.1). The whole package is read and
checked before anything is written; every problem names its file, row (1-based, the header is row
1) and column, so that whoever runs the SIS export can find and fix it.

OneRoster has no field for a media opt-out. Districts carry it in an extension column
(``metadata.mediaOptOut`` plus optional ``metadata.mediaOptOutScope`` and
``metadata.mediaOptOutEffectiveDate``) or in a separate CSV (``userSourcedId,mediaOptOut,
effectiveDate``), both understood here.

SIS exports differ: a :class:`Mapping` (a dict, or a YAML/JSON file) renames columns and files and
says how OneRoster roles and org types become Steward's roles and unit kinds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable
from collections.abc import Mapping as TMapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

# What Steward calls things (kept in step with steward.people.models without importing Django).
UNIT_KINDS = frozenset(
    {"district", "school", "department", "program", "club", "team", "classroom", "initiative"}
)
STAFF_ROLES = frozenset(
    {
        "superintendent", "superintendent_designee", "school_leader", "department_head", "teacher",
        "coach", "faculty_advisor", "communications", "records_officer", "other",
    }
)
STUDENT = "student"
OPT_OUT_SCOPES = frozenset({"name", "image", "all"})

FILES = ("manifest", "orgs", "users", "roles", "classes", "enrollments")

# Columns each file must have (after the mapping renames them). 1.1 users also need role and
# orgSourcedIds; 1.2 users carry their roles in roles.csv.
REQUIRED: dict[str, tuple[str, ...]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "name", "type"),
    "users": ("sourcedId", "givenName", "familyName"),
    "roles": ("userSourcedId", "role", "orgSourcedId"),
    "classes": ("sourcedId", "title", "schoolSourcedId"),
    "enrollments": ("sourcedId", "classSourcedId", "userSourcedId", "role"),
    "opt_outs": ("userSourcedId", "mediaOptOut"),
}
REQUIRED_11_USERS = ("role", "orgSourcedIds")

# OneRoster 1.1 and 1.2 role names → Steward. A dict value maps by the org type the role is held
# at ("*" for any other); None means "not a person Steward keeps" (parents, guardians, ...).
DEFAULT_ROLES: dict[str, Any] = {
    "student": STUDENT,
    "teacher": "teacher",
    "administrator": {"school": "school_leader", "department": "department_head", "*": "other"},
    "principal": "school_leader",
    "siteAdministrator": {"school": "school_leader", "department": "department_head", "*": "other"},
    # District-wide roles (superintendent, communications office) widen what a person sees, so
    # they are never inferred from a generic SIS role: name them in a mapping or grant them by hand.
    "districtAdministrator": "other",
    "systemAdministrator": "other",
    "counselor": "other",
    "aide": "other",
    "proctor": "other",
    "guardian": None,
    "parent": None,
    "relative": None,
}
# OneRoster org types → unit kinds. None: not part of the district tree (state, national).
DEFAULT_ORG_TYPES: dict[str, str | None] = {
    "district": "district",
    "school": "school",
    "department": "department",
    "program": "program",
    "club": "club",
    "team": "team",
    "classroom": "classroom",
    "initiative": "initiative",
    "local": None,
    "state": None,
    "national": None,
}
# Longest values Steward stores (steward.people.models); longer ones are reported, not truncated.
MAX_LENGTHS: dict[str, dict[str, int]] = {
    "orgs": {"sourcedId": 255, "name": 255, "identifier": 100},
    "classes": {"sourcedId": 255, "title": 255, "classCode": 100},
    "users": {
        "sourcedId": 255, "givenName": 150, "familyName": 150, "preferredGivenName": 150,
        "email": 254, "username": 150, "identifier": 100,
    },
    "enrollments": {"sourcedId": 255, "role": 30},
}
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TRUE = frozenset({"true", "yes", "y", "1", "t"})
FALSE = frozenset({"false", "no", "n", "0", "f", ""})


class PackageError(Exception):
    """The package cannot be read at all (not a ZIP, no manifest, unreadable mapping)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the package, where to find it, and why it matters."""

    file: str
    row: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class Mapping:
    """How one SIS's export differs from the OneRoster standard.

    ``files``: logical name → file name (``{"users": "people.csv"}``).
    ``columns``: logical file → {standard column: the column in this export}.
    ``roles``: OneRoster role → Steward role, "student", None (skip), or {org type: role}.
    ``org_types``: OneRoster org type → unit kind or None (not in the tree).
    ``opt_out_*``: the extension columns of users.csv that carry the media opt-out.
    """

    files: dict[str, str] = field(default_factory=dict)
    columns: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    org_types: dict[str, str | None] = field(default_factory=lambda: dict(DEFAULT_ORG_TYPES))
    opt_out_column: str = "metadata.mediaOptOut"
    opt_out_scope_column: str = "metadata.mediaOptOutScope"
    opt_out_date_column: str = "metadata.mediaOptOutEffectiveDate"

    @classmethod
    def from_dict(cls, data: TMapping[str, Any] | None) -> Mapping:
        """Build from a dict; ``roles`` and ``org_types`` add to (and override) the defaults."""
        data = dict(data or {})
        unknown = set(data) - {
            "files", "columns", "roles", "org_types", "opt_out_column", "opt_out_scope_column",
            "opt_out_date_column",
        }
        if unknown:
            raise PackageError(f"mapping: unknown keys {', '.join(sorted(unknown))}")
        mapping = cls()
        mapping.files = {str(k): str(v) for k, v in (data.get("files") or {}).items()}
        mapping.columns = {
            str(f): {str(k): str(v) for k, v in (cols or {}).items()}
            for f, cols in (data.get("columns") or {}).items()
        }
        mapping.roles.update(data.get("roles") or {})
        mapping.org_types.update(data.get("org_types") or {})
        for key in ("opt_out_column", "opt_out_scope_column", "opt_out_date_column"):
            if data.get(key):
                setattr(mapping, key, str(data[key]))
        problems = mapping.check()
        if problems:
            raise PackageError("mapping: " + "; ".join(problems))
        return mapping

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        """Read a mapping from a YAML (``.yaml``/``.yml``) or JSON file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise PackageError(f"mapping: cannot read {path}: {exc}") from exc
        return cls.parse(text, name=path.name)

    @classmethod
    def parse(cls, text: str, *, name: str = "mapping") -> Mapping:
        try:
            if name.endswith((".yaml", ".yml")) or not text.lstrip().startswith("{"):
                import yaml

                data = yaml.safe_load(text)
            else:
                data = json.loads(text)
        except Exception as exc:  # yaml and json raise different error types
            raise PackageError(f"{name}: not valid YAML or JSON: {exc}") from exc
        if data is not None and not isinstance(data, dict):
            raise PackageError(f"{name}: expected a mapping at the top level")
        return cls.from_dict(data)

    def check(self) -> list[str]:
        problems = []
        for role, target in self.roles.items():
            targets = target.values() if isinstance(target, dict) else [target]
            for t in targets:
                if t is not None and t != STUDENT and t not in STAFF_ROLES:
                    problems.append(f"role {role!r} maps to unknown Steward role {t!r}")
        for org_type, kind in self.org_types.items():
            if kind is not None and kind not in UNIT_KINDS:
                problems.append(f"org type {org_type!r} maps to unknown unit kind {kind!r}")
        return problems

    def producible_roles(self) -> set[str]:
        """The Steward staff roles this mapping can give. The import only takes away roles it
        could have given: a superintendent named by hand is not undone by a generic SIS role."""
        out: set[str] = set()
        for target in self.roles.values():
            for t in target.values() if isinstance(target, dict) else [target]:
                if t is not None and t != STUDENT:
                    out.add(t)
        return out

    def file_name(self, logical: str) -> str:
        return self.files.get(logical, f"{logical}.csv")

    def steward_role(self, role: str, org_type: str | None) -> tuple[bool, str | None]:
        """(known, target) for a OneRoster role held at an org of ``org_type``."""
        key = role if role in self.roles else _casefold_key(self.roles, role)
        if key is None:
            return False, None
        target = self.roles[key]
        if isinstance(target, dict):
            return True, target.get(org_type or "", target.get("*"))
        return True, target


def _casefold_key(d: TMapping[str, Any], key: str) -> str | None:
    low = key.casefold()
    for k in d:
        if k.casefold() == low:
            return k
    return None


# --- What the package says ---------------------------------------------------------------------


@dataclass
class Org:
    sourced_id: str
    name: str
    type: str
    kind: str | None  # None: outside the district tree
    identifier: str
    parent_sourced_id: str | None
    active: bool
    row: int
    is_class: bool = False  # a class from classes.csv, kept as a classroom unit


@dataclass
class Role:
    org_sourced_id: str
    oneroster_role: str
    role: str  # a Steward staff role, or "student"
    primary: bool


@dataclass
class User:
    sourced_id: str
    active: bool
    given_name: str
    family_name: str
    preferred_name: str
    email: str
    username: str
    identifier: str
    grades: list[str]
    roles: list[Role]
    row: int
    # None: the package says nothing about it (keep what Steward has); "" means no opt-out.
    opt_out: str | None = None
    opt_out_effective: dt.date | None = None
    # 1.2 roles that ended, have not begun or are being deleted: no standing, but they still say
    # whether this was a student and where (someone whose every role has lapsed is deactivated).
    lapsed_roles: list[Role] = field(default_factory=list)

    @property
    def kind(self) -> str:
        roles = self.roles or self.lapsed_roles
        return STUDENT if roles and all(r.role == STUDENT for r in roles) else "staff"

    @property
    def primary_org(self) -> str | None:
        roles = self.roles or self.lapsed_roles
        for r in roles:
            if r.primary:
                return r.org_sourced_id
        return roles[0].org_sourced_id if roles else None


@dataclass
class EnrollmentRow:
    sourced_id: str
    class_sourced_id: str
    user_sourced_id: str
    role: str
    active: bool
    row: int


@dataclass
class Package:
    """A parsed package. ``problems`` empty means it may be imported."""

    version: str = ""
    source_system: str = ""
    modes: dict[str, str] = field(default_factory=dict)  # logical file → bulk | delta
    orgs: dict[str, Org] = field(default_factory=dict)  # orgs and classes, parents first
    users: dict[str, User] = field(default_factory=dict)  # only the people Steward keeps
    skipped_users: int = 0  # guardians, parents, ... (roles mapped to None)
    enrollments: list[EnrollmentRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    opt_outs_given: bool = False
    mapping: Mapping | None = None
    # Opt-outs from the district CSV for people already in Steward but not in this (delta) package.
    extra_opt_outs: dict[str, tuple[str, dt.date | None]] = field(default_factory=dict)

    def is_bulk(self, logical: str) -> bool:
        return self.modes.get(logical) == "bulk"

    @property
    def ok(self) -> bool:
        return not self.problems


# --- Reading the files ---------------------------------------------------------------------------


class _Files:
    """The CSV files of a package, by lower-cased file name, from a folder, a ZIP or a dict."""

    def __init__(self, data: dict[str, bytes], label: str) -> None:
        self.data = data
        self.label = label

    def get(self, name: str) -> bytes | None:
        return self.data.get(name.lower())


def _open_source(source: Any) -> _Files:
    if isinstance(source, dict):
        return _Files({PurePosixPath(k).name.lower(): v for k, v in source.items()}, "upload")
    if isinstance(source, str | Path):
        path = Path(source)
        if path.is_dir():
            manifest = next((p for p in path.rglob("*") if p.name.lower() == "manifest.csv"), None)
            base = manifest.parent if manifest else path
            return _Files({p.name.lower(): p.read_bytes() for p in base.iterdir() if p.is_file()}, str(path))
        if not path.exists():
            raise PackageError(f"{path}: no such file or folder")
        with path.open("rb") as fh:
            return _from_zip(fh, str(path))
    if hasattr(source, "read"):
        return _from_zip(source, getattr(source, "name", "upload") or "upload")
    raise PackageError(f"cannot read a package from {type(source).__name__}")


def _from_zip(fh: IO[bytes], label: str) -> _Files:
    try:
        with zipfile.ZipFile(fh) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/") and "__MACOSX" not in n]
            manifest = next((n for n in names if PurePosixPath(n).name.lower() == "manifest.csv"), None)
            # SIS exports often zip a folder: read the files that sit beside the manifest.
            base = str(PurePosixPath(manifest).parent) if manifest else "."
            data = {}
            for n in names:
                p = PurePosixPath(n)
                if str(p.parent) == base and p.suffix.lower() == ".csv":
                    info = zf.getinfo(n)
                    if info.file_size > 200 * 1024 * 1024:
                        raise PackageError(f"{label}: {n} is larger than 200 MB")
                    data[p.name.lower()] = zf.read(n)
    except zipfile.BadZipFile as exc:
        raise PackageError(f"{label}: not a ZIP file ({exc})") from exc
    return _Files(data, label)


@dataclass
class _Table:
    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number, standard column → value)
    columns: dict[str, str]  # standard column → column name in the file (for problems)

    def has(self, column: str) -> bool:
        return column in self.columns

    def col(self, column: str) -> str:
        return self.columns.get(column, column)


def _read_csv(raw: bytes, file: str, renames: dict[str, str], problems: list[Problem]) -> _Table | None:
    try:
        text = raw.decode("utf-8-sig")  # SIS exports from Windows tools start with a BOM
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError:
            problems.append(Problem(file, None, "", "not UTF-8 text"))
            return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        problems.append(Problem(file, 1, "", "the file is empty (no header row)"))
        return None
    except csv.Error as exc:
        problems.append(Problem(file, 1, "", f"unreadable CSV: {exc}"))
        return None
    # The file's column name → the standard name (case-insensitive).
    inverse = {v.casefold(): k for k, v in renames.items()}
    names: list[str] = []
    columns: dict[str, str] = {}
    for col_no, h in enumerate(header, start=1):
        std = inverse.get(h.casefold(), h)
        if std in columns:
            problems.append(Problem(file, 1, h, f"column appears twice (also column {names.index(std) + 1})"))
        columns.setdefault(std, h)
        names.append(std)
        if not h:
            problems.append(Problem(file, 1, f"#{col_no}", "empty column name"))
    rows = []
    row_no = 1
    try:
        for values in reader:
            row_no += 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(names):
                problems.append(
                    Problem(file, row_no, "", f"has {len(values)} fields, the header has {len(names)}")
                )
            rows.append((row_no, {n: v.strip() for n, v in zip(names, values, strict=False)}))
    except csv.Error as exc:
        problems.append(Problem(file, row_no + 1, "", f"unreadable CSV: {exc}"))
    return _Table(file, header, rows, columns)


def _normalise_columns(table: _Table, standard: Iterable[str]) -> None:
    """Let ``sourcedid`` or ``SourcedId`` stand for ``sourcedId``."""
    lower = {k.casefold(): k for k in table.columns}
    for std in standard:
        if std in table.columns:
            continue
        actual = lower.get(std.casefold())
        if actual is not None:
            table.columns[std] = table.columns.pop(actual)
            for _, row in table.rows:
                if actual in row:
                    row[std] = row.pop(actual)


STANDARD_COLUMNS: dict[str, tuple[str, ...]] = {
    "manifest": ("propertyName", "value"),
    "orgs": ("sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"),
    "users": (
        "sourcedId", "status", "dateLastModified", "enabledUser", "orgSourcedIds", "role", "username",
        "userIds", "givenName", "familyName", "middleName", "identifier", "email", "sms", "phone",
        "agentSourcedIds", "grades", "password", "preferredGivenName", "preferredMiddleName",
        "preferredFamilyName", "primaryOrgSourcedId",
    ),
    "roles": (
        "sourcedId", "status", "dateLastModified", "userSourcedId", "roleType", "role", "beginDate",
        "endDate", "orgSourcedId", "userProfileSourcedId",
    ),
    "classes": ("sourcedId", "status", "dateLastModified", "title", "classCode", "schoolSourcedId"),
    "enrollments": (
        "sourcedId", "status", "dateLastModified", "classSourcedId", "schoolSourcedId", "userSourcedId",
        "role", "primary", "beginDate", "endDate",
    ),
    "opt_outs": ("userSourcedId", "mediaOptOut", "mediaOptOutScope", "effectiveDate"),
}


def _date(value: str) -> dt.date | None:
    """A OneRoster date (YYYY-MM-DD) or date-time (ISO 8601); raises ValueError."""
    value = value.strip()
    if not value:
        return None
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).date()


def _bool(value: str) -> bool:
    low = value.strip().casefold()
    if low in TRUE:
        return True
    if low in FALSE:
        return False
    raise ValueError(value)


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


# --- The parser ----------------------------------------------------------------------------------


def read_package(
    source: Any,
    *,
    mapping: Mapping | TMapping[str, Any] | None = None,
    opt_outs: Any = None,
    known_org_ids: Iterable[str] = (),
    known_user_ids: Iterable[str] = (),
    today: dt.date | None = None,
) -> Package:
    """Read and validate a whole package. Never raises for content problems: they are returned in
    ``Package.problems``. Raises :class:`PackageError` only when there is no package to read.

    ``source``: a folder, a ZIP path, a binary file object holding a ZIP, or {file name: bytes}.
    ``opt_outs``: a separate district opt-out CSV (path, bytes or binary file object).
    ``known_org_ids``/``known_user_ids``: sourcedIds already in Steward, which a *delta* package
    may refer to without repeating them.
    """
    if not isinstance(mapping, Mapping):
        mapping = Mapping.from_dict(mapping)
    today = today or dt.date.today()
    files = _open_source(source)
    parser = _Parser(files, mapping, today, set(known_org_ids), set(known_user_ids))
    parser.run(opt_outs)
    parser.package.mapping = mapping
    return parser.package


class _Parser:
    def __init__(
        self, files: _Files, mapping: Mapping, today: dt.date, known_orgs: set[str], known_users: set[str]
    ) -> None:
        self.files = files
        self.mapping = mapping
        self.today = today
        self.known_orgs = known_orgs
        self.known_users = known_users
        self.package = Package()
        self.problems = self.package.problems
        self._outside_tree: set[str] = set()
        self._roles_table: _Table | None = None
        self._all_user_ids: set[str] = set()

    def problem(self, file: str, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(file, row, column, message))

    def table(self, logical: str, *, required: bool = True, raw: bytes | None = None) -> _Table | None:
        name = self.mapping.file_name(logical) if raw is None else "opt-outs CSV"
        if raw is None:
            raw = self.files.get(name)
        if raw is None:
            if required:
                self.problem(name, None, "", "the manifest declares this file but it is not in the package")
            return None
        table = _read_csv(raw, name, self.mapping.columns.get(logical, {}), self.problems)
        if table is None:
            return None
        _normalise_columns(table, STANDARD_COLUMNS.get(logical, ()))
        needed = list(REQUIRED.get(logical, ()))
        if logical == "users" and self.package.version.startswith("1.1"):
            needed += REQUIRED_11_USERS
        for column in needed:
            if not table.has(column):
                self.problem(name, 1, table.col(column), "required column is missing")
        if any(not table.has(c) for c in needed):
            return None
        for column, limit in MAX_LENGTHS.get(logical, {}).items():
            for row_no, row in table.rows:
                if len(row.get(column, "")) > limit:
                    self.problem(name, row_no, table.col(column), f"longer than {limit} characters")
        return table

    def run(self, opt_outs: Any) -> None:
        self.read_manifest()
        if self.package.problems:
            return
        # A bulk file is the whole truth: it may not lean on what Steward already holds.
        if self.package.is_bulk("orgs"):
            self.known_orgs = set()
        if self.package.is_bulk("users"):
            self.known_users = set()
        self.read_orgs()
        self.read_classes()
        self.check_org_tree()
        roles = self.read_roles()
        self.read_users(roles)
        self.read_opt_outs(opt_outs)
        self.read_enrollments()
        # One cause can be met from several rows (a loop in the org tree): say it once.
        unique = list(dict.fromkeys(self.problems))
        self.problems[:] = unique

    # manifest ----------------------------------------------------------------------------------

    def read_manifest(self) -> None:
        name = self.mapping.file_name("manifest")
        if self.files.get(name) is None:
            self.problem(name, None, "", "no manifest.csv: this is not a OneRoster CSV package")
            return
        table = self.table("manifest")
        if table is None:
            return
        props: dict[str, tuple[int | None, str]] = {}
        for row_no, row in table.rows:
            props[row.get("propertyName", "")] = (row_no, row.get("value", ""))
        version_row, version = props.get("oneroster.version", (None, ""))
        if not version:
            self.problem(name, version_row, "value", "oneroster.version is missing")
        elif not (version.startswith("1.1") or version.startswith("1.2")):
            self.problem(name, version_row, "value", f"OneRoster version {version!r} is not 1.1 or 1.2")
        self.package.version = version
        self.package.source_system = props.get("source.systemName", (0, ""))[1]
        for logical in FILES[1:]:
            decl_row, mode = props.get(f"file.{logical}", (None, ""))
            mode = mode.casefold()
            if mode in ("bulk", "delta"):
                self.package.modes[logical] = mode
            elif mode in ("", "absent"):
                # Lenient with exports that ship a file but forget to declare it.
                if decl_row is None and self.files.get(self.mapping.file_name(logical)) is not None:
                    self.package.modes[logical] = "bulk"
            else:
                self.problem(name, decl_row, "value", f"file.{logical} must be bulk, delta or absent, not {mode!r}")
        if version.startswith("1.1") and "roles" in self.package.modes:
            del self.package.modes["roles"]  # roles.csv is a 1.2 file; 1.1 carries users.role
        if "users" in self.package.modes and "orgs" not in self.package.modes and not self.known_orgs:
            self.problem(name, None, "", "users.csv needs orgs.csv in the same package")

    # orgs and classes --------------------------------------------------------------------------

    def read_orgs(self) -> None:
        if "orgs" not in self.package.modes:
            return
        table = self.table("orgs")
        if table is None:
            return
        name = table.file
        for row_no, row in table.rows:
            sid = row.get("sourcedId", "")
            if not sid:
                self.problem(name, row_no, table.col("sourcedId"), "sourcedId is empty")
                continue
            if sid in self.package.orgs:
                self.problem(
                    name, row_no, table.col("sourcedId"),
                    f"duplicate sourcedId {sid!r} (first on row {self.package.orgs[sid].row})",
                )
                continue
            org_type = row.get("type", "")
            type_key = org_type if org_type in self.mapping.org_types else _casefold_key(self.mapping.org_types, org_type)
            if type_key is None:
                self.problem(name, row_no, table.col("type"), f"unknown org type {org_type!r}")
                continue
            if not row.get("name"):
                self.problem(name, row_no, table.col("name"), "name is empty")
            active = self._status(table, row_no, row)
            self._check_date(table, row_no, row, "dateLastModified")
            self.package.orgs[sid] = Org(
                sourced_id=sid, name=row.get("name", ""), type=type_key,
                kind=self.mapping.org_types[type_key], identifier=row.get("identifier", ""),
                parent_sourced_id=row.get("parentSourcedId") or None, active=active, row=row_no,
            )

    def read_classes(self) -> None:
        if "classes" not in self.package.modes:
            return
        table = self.table("classes")
        if table is None:
            return
        name = table.file
        for row_no, row in table.rows:
            sid = row.get("sourcedId", "")
            if not sid:
                self.problem(name, row_no, table.col("sourcedId"), "sourcedId is empty")
                continue
            if sid in self.package.orgs:
                other = self.package.orgs[sid]
                where = "classes.csv" if other.is_class else "orgs.csv"
                self.problem(name, row_no, table.col("sourcedId"), f"duplicate sourcedId {sid!r} (also {where} row {other.row})")
                continue
            school = row.get("schoolSourcedId", "")
            if not school:
                self.problem(name, row_no, table.col("schoolSourcedId"), "schoolSourcedId is empty")
                continue
            active = self._status(table, row_no, row)
            title = row.get("title", "") or row.get("classCode", "") or sid
            self.package.orgs[sid] = Org(
                sourced_id=sid, name=title, type="class", kind="classroom",
                identifier=row.get("classCode", ""), parent_sourced_id=school, active=active,
                row=row_no, is_class=True,
            )

    def check_org_tree(self) -> None:
        orgs = self.package.orgs
        for org in list(orgs.values()):
            file = self.mapping.file_name("classes" if org.is_class else "orgs")
            column = "schoolSourcedId" if org.is_class else "parentSourcedId"
            parent = org.parent_sourced_id
            if parent is not None and parent not in orgs and parent not in self.known_orgs:
                self.problem(file, org.row, column, f"unknown parent org {parent!r}")
                continue
            if parent is not None and parent in orgs and orgs[parent].kind is None:
                org.parent_sourced_id = parent = None  # a state or national org above the district
            if org.kind is not None and org.kind != "district" and parent is None:
                self.problem(file, org.row, column, f"a {org.kind} needs a parent org; only a district may be the root")
        # Cycles, then order parents before children so the importer can build paths top-down.
        ordered: dict[str, Org] = {}
        for sid in orgs:
            chain: list[str] = []
            cur: str | None = sid
            while cur is not None and cur in orgs and cur not in ordered:
                if cur in chain:
                    org = orgs[sid]
                    self.problem(
                        self.mapping.file_name("orgs"), org.row, "parentSourcedId",
                        f"parent chain loops back to {cur!r}",
                    )
                    break
                chain.append(cur)
                cur = orgs[cur].parent_sourced_id
            else:
                for c in reversed(chain):
                    ordered[c] = orgs[c]
        for sid, org in orgs.items():
            ordered.setdefault(sid, org)
        self.package.orgs = {sid: org for sid, org in ordered.items() if org.kind is not None}
        self._outside_tree = {sid for sid, org in orgs.items() if org.kind is None}

    def org_type(self, sid: str) -> str | None:
        org = self.package.orgs.get(sid)
        if org is not None:
            return org.kind if org.is_class else org.type
        return None

    # users and roles ---------------------------------------------------------------------------

    def read_roles(self) -> dict[str, list[tuple[int, dict[str, str]]]]:
        """1.2 roles.csv rows by userSourcedId."""
        by_user: dict[str, list[tuple[int, dict[str, str]]]] = {}
        if not self.package.version.startswith("1.2") or "roles" not in self.package.modes:
            return by_user
        table = self.table("roles")
        if table is None:
            return by_user
        self._roles_table = table
        for row_no, row in table.rows:
            user = row.get("userSourcedId", "")
            if not user:
                self.problem(table.file, row_no, table.col("userSourcedId"), "userSourcedId is empty")
                continue
            by_user.setdefault(user, []).append((row_no, row))
        return by_user

    def _role(
        self, file: str, row_no: int, column: str, role: str, org_sid: str, org_column: str, primary: bool
    ) -> tuple[str, Role | None]:
        """("ok", role), ("skip", None) for a role Steward does not keep (guardian, parent), or
        ("problem", None) after recording what is wrong."""
        if org_sid not in self.package.orgs and org_sid not in self.known_orgs:
            if org_sid in self._outside_tree:
                self.problem(file, row_no, org_column, f"org {org_sid!r} is outside the district tree")
            else:
                self.problem(file, row_no, org_column, f"unknown org {org_sid!r}")
            return "problem", None
        known, target = self.mapping.steward_role(role, self.org_type(org_sid))
        if not known:
            self.problem(file, row_no, column, f"unknown role {role!r}")
            return "problem", None
        if target is None:
            return "skip", None
        return "ok", Role(org_sourced_id=org_sid, oneroster_role=role, role=target, primary=primary)

    def read_users(self, roles_by_user: dict[str, list[tuple[int, dict[str, str]]]]) -> None:
        if "users" not in self.package.modes:
            if roles_by_user:
                self.problem(self.mapping.file_name("roles"), None, "", "roles.csv needs users.csv")
            return
        table = self.table("users")
        if table is None:
            return
        name = table.file
        v11 = self.package.version.startswith("1.1")
        mp = self.mapping
        has_opt_out = table.has(mp.opt_out_column)
        all_ids: dict[str, int] = {}
        for row_no, row in table.rows:
            sid = row.get("sourcedId", "")
            if not sid:
                self.problem(name, row_no, table.col("sourcedId"), "sourcedId is empty")
                continue
            if sid in all_ids:
                self.problem(name, row_no, table.col("sourcedId"), f"duplicate sourcedId {sid!r} (first on row {all_ids[sid]})")
                continue
            all_ids[sid] = row_no
            n_problems = len(self.problems)
            active = self._status(table, row_no, row)
            if table.has("enabledUser") and row.get("enabledUser", ""):
                try:
                    active = active and _bool(row["enabledUser"])
                except ValueError:
                    self.problem(name, row_no, table.col("enabledUser"), f"enabledUser must be true or false, not {row['enabledUser']!r}")
            self._check_date(table, row_no, row, "dateLastModified")
            for col in ("givenName", "familyName"):
                if not row.get(col):
                    self.problem(name, row_no, table.col(col), f"{col} is empty")
            roles: list[Role] = []
            lapsed: list[Role] = []
            skipped = False
            if v11:
                orgs = _split(row.get("orgSourcedIds", ""))
                if not orgs:
                    self.problem(name, row_no, table.col("orgSourcedIds"), "orgSourcedIds is empty")
                for i, org_sid in enumerate(orgs):
                    status, r = self._role(name, row_no, table.col("role"), row.get("role", ""), org_sid, table.col("orgSourcedIds"), i == 0)
                    skipped = skipped or status == "skip"
                    if r is not None:
                        roles.append(r)
            else:
                primary_org = row.get("primaryOrgSourcedId", "")
                rt = self._roles_table
                for r_row_no, r_row in roles_by_user.get(sid, []):
                    assert rt is not None  # rows come from it
                    r_active = self._status(rt, r_row_no, r_row)
                    begin = self._check_date(rt, r_row_no, r_row, "beginDate")
                    end = self._check_date(rt, r_row_no, r_row, "endDate")
                    role_type = r_row.get("roleType", "").casefold()
                    if role_type and role_type not in ("primary", "secondary"):
                        self.problem(rt.file, r_row_no, rt.col("roleType"), f"roleType must be primary or secondary, not {r_row['roleType']!r}")
                    org_sid = r_row.get("orgSourcedId", "")
                    status, r = self._role(
                        rt.file, r_row_no, rt.col("role"), r_row.get("role", ""), org_sid, rt.col("orgSourcedId"),
                        role_type == "primary" or (not role_type and org_sid == primary_org),
                    )
                    skipped = skipped or status == "skip"
                    if r is None:
                        continue
                    # Roles that ended, have not begun, or are being deleted give no standing.
                    if not r_active or (end is not None and end < self.today) or (begin is not None and begin > self.today):
                        lapsed.append(r)
                        continue
                    roles.append(r)
                if not roles_by_user.get(sid) and "roles" in self.package.modes:
                    self.problem(name, row_no, table.col("sourcedId"), "user has no row in roles.csv")
            if skipped and not roles and not lapsed:
                self.package.skipped_users += 1
                continue
            if lapsed and not roles:
                active = False
            kinds = {r.role == STUDENT for r in roles}
            if len(kinds) > 1:
                self.problem(name, row_no, table.col("role") if v11 else "role", "user holds both student and staff roles")
            email = row.get("email", "")
            if email and not EMAIL_RE.match(email):
                self.problem(name, row_no, table.col("email"), f"not an email address: {email!r}")
            grades = _split(row.get("grades", ""))
            if grades and len(grades[0]) > 10:
                self.problem(name, row_no, table.col("grades"), "grade longer than 10 characters")
            user = User(
                sourced_id=sid, active=active, given_name=row.get("givenName", ""),
                family_name=row.get("familyName", ""),
                preferred_name=row.get("preferredGivenName", ""), email=row.get("email", ""),
                username=row.get("username", ""), identifier=row.get("identifier", ""),
                grades=grades, roles=roles, row=row_no, lapsed_roles=lapsed,
            )
            if has_opt_out:
                self._opt_out_from_metadata(table, row_no, row, user)
            if len(self.problems) == n_problems and (user.roles or not active):
                self.package.users[sid] = user
            elif len(self.problems) == n_problems:
                self.problem(name, row_no, table.col("sourcedId"), "user has no role in any org of the district")
        self._all_user_ids = set(all_ids)
        for user_sid, rows in roles_by_user.items():
            if user_sid not in all_ids and user_sid not in self.known_users:
                rt = self._roles_table
                assert rt is not None
                for r_row_no, _ in rows:
                    self.problem(rt.file, r_row_no, rt.col("userSourcedId"), f"unknown user {user_sid!r}")

    def _opt_out_from_metadata(self, table: _Table, row_no: int, row: dict[str, str], user: User) -> None:
        mp = self.mapping
        value = row.get(mp.opt_out_column, "")
        scope = row.get(mp.opt_out_scope_column, "").casefold()
        opt = self._opt_out_value(table.file, row_no, table.col(mp.opt_out_column), value, scope, table.col(mp.opt_out_scope_column))
        if opt is None:
            return
        user.opt_out = opt
        if table.has(mp.opt_out_date_column):
            user.opt_out_effective = self._check_date(table, row_no, row, mp.opt_out_date_column)

    def _opt_out_value(self, file: str, row_no: int, column: str, value: str, scope: str, scope_column: str) -> str | None:
        low = value.strip().casefold()
        if low in OPT_OUT_SCOPES:  # some districts write the scope straight into the flag
            return low
        try:
            flag = _bool(value)
        except ValueError:
            self.problem(file, row_no, column, f"media opt-out must be true/false (or name, image, all), not {value!r}")
            return None
        if not flag:
            return ""
        if scope and scope not in OPT_OUT_SCOPES:
            self.problem(file, row_no, scope_column, f"opt-out scope must be name, image or all, not {scope!r}")
            return None
        return scope or "all"

    def read_opt_outs(self, source: Any) -> None:
        if source is None:
            return
        if isinstance(source, str | Path):
            try:
                raw = Path(source).read_bytes()
            except OSError as exc:
                self.problem(str(source), None, "", f"cannot read: {exc}")
                return
        elif isinstance(source, bytes):
            raw = source
        else:
            raw = source.read()
        table = self.table("opt_outs", raw=raw)
        if table is None:
            return
        self.package.opt_outs_given = True
        listed: dict[str, tuple[str, dt.date | None]] = {}
        seen: dict[str, int] = {}
        for row_no, row in table.rows:
            sid = row.get("userSourcedId", "")
            if sid in seen:
                self.problem(table.file, row_no, table.col("userSourcedId"), f"duplicate userSourcedId {sid!r} (first on row {seen[sid]})")
                continue
            seen[sid] = row_no
            if sid not in self.package.users and sid not in self.known_users and sid not in self._all_user_ids:
                self.problem(table.file, row_no, table.col("userSourcedId"), f"unknown user {sid!r}")
                continue
            n = len(self.problems)
            opt = self._opt_out_value(
                table.file, row_no, table.col("mediaOptOut"), row.get("mediaOptOut", ""),
                row.get("mediaOptOutScope", "").casefold(), table.col("mediaOptOutScope"),
            )
            effective = self._check_date(table, row_no, row, "effectiveDate")
            if opt is not None and len(self.problems) == n:
                listed[sid] = (opt, effective)
        # The district list is complete for the people in this package: anyone not on it, and not
        # opted out through users.csv, has no opt-out.
        for sid, user in self.package.users.items():
            if sid in listed:
                user.opt_out, user.opt_out_effective = listed[sid]
            elif user.opt_out is None:
                user.opt_out, user.opt_out_effective = "", None
        self.package.extra_opt_outs = {sid: v for sid, v in listed.items() if sid not in self.package.users}

    # enrollments -------------------------------------------------------------------------------

    def read_enrollments(self) -> None:
        if "enrollments" not in self.package.modes:
            return
        table = self.table("enrollments")
        if table is None:
            return
        seen: dict[str, int] = {}
        all_users = self._all_user_ids
        for row_no, row in table.rows:
            sid = row.get("sourcedId", "")
            if not sid:
                self.problem(table.file, row_no, table.col("sourcedId"), "sourcedId is empty")
                continue
            if sid in seen:
                self.problem(table.file, row_no, table.col("sourcedId"), f"duplicate sourcedId {sid!r} (first on row {seen[sid]})")
                continue
            seen[sid] = row_no
            class_sid = row.get("classSourcedId", "")
            user_sid = row.get("userSourcedId", "")
            ok = True
            if class_sid not in self.package.orgs and class_sid not in self.known_orgs:
                self.problem(table.file, row_no, table.col("classSourcedId"), f"enrollment to unknown class {class_sid!r}")
                ok = False
            if user_sid not in all_users and user_sid not in self.known_users:
                self.problem(table.file, row_no, table.col("userSourcedId"), f"enrollment of unknown user {user_sid!r}")
                ok = False
            role = row.get("role", "")
            if role.casefold() not in {"administrator", "proctor", "student", "teacher", "aide", "guardian"}:
                self.problem(table.file, row_no, table.col("role"), f"unknown enrollment role {role!r}")
                ok = False
            active = self._status(table, row_no, row)
            self._check_date(table, row_no, row, "beginDate")
            end = self._check_date(table, row_no, row, "endDate")
            if end is not None and end < self.today:
                active = False
            if ok and (user_sid in self.package.users or user_sid in self.known_users):
                self.package.enrollments.append(
                    EnrollmentRow(sid, class_sid, user_sid, role, active, row_no)
                )

    # helpers -----------------------------------------------------------------------------------

    def _status(self, table: _Table, row_no: int, row: dict[str, str]) -> bool:
        status = row.get("status", "").strip()
        if status.casefold() in ("", "active"):
            return True
        if status.casefold() == "tobedeleted":
            return False
        self.problem(table.file, row_no, table.col("status"), f"status must be active or tobedeleted, not {status!r}")
        return True

    def _check_date(self, table: _Table, row_no: int, row: dict[str, str], column: str) -> dt.date | None:
        value = row.get(column, "")
        try:
            return _date(value)
        except ValueError:
            self.problem(table.file, row_no, table.col(column), f"bad date {value!r} (expected YYYY-MM-DD)")
            return None


def write_package(
    target: str | Path | IO[bytes], files: TMapping[str, Iterable[Iterable[Any]]], *, as_zip: bool | None = None
) -> None:
    """Write CSV files ({name: rows, the first row the header}) as a folder or a ZIP. Used by the
    tests, the bench and the demo to build packages."""
    blobs = {}
    for name, rows in files.items():
        buf = io.StringIO(newline="")
        writer = csv.writer(buf, lineterminator="\r\n")
        for row in rows:
            writer.writerow(list(row))
        blobs[name] = buf.getvalue().encode("utf-8")
    if as_zip is None:
        as_zip = not isinstance(target, str | Path) or str(target).endswith(".zip")
    if as_zip:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:  # type: ignore[arg-type]
            for name, blob in blobs.items():
                zf.writestr(name, blob)
    else:
        folder = Path(target)  # type: ignore[arg-type]
        folder.mkdir(parents=True, exist_ok=True)
        for name, blob in blobs.items():
            (folder / name).write_bytes(blob)
