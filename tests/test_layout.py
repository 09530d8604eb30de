"""The layout keeps its promises (ADR 0011): one capability, one package, one vocabulary;
the schema points the same way as the imports; nothing private crosses a module.

import-linter (``pyproject.toml``) keeps the imports in their layers; these tests keep what it
cannot see: foreign keys, module names, private names, ``apps.get_model`` and module size.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
APPS = ["directory", "access", "signing", "notifications", "credit", "commitments", "workflows"]

# Lower number = lower layer. A model may refer only to its own layer or below.
LAYER = {
    "directory": 0,
    "access": 0,
    "signing": 1,
    "notifications": 1,
    "credit": 2,
    "commitments": 3,
}
LAYER["workflows"] = 4

# The one vocabulary of module names inside a capability package (ADR 0011).
VOCABULARY = {
    "models",
    "services",
    "selectors",
    "flows",
    "pages",
    "api",
    "urls",
    "tasks",
    "admin",
    "forms",
}
FLAT = re.compile(
    r"^(?:(?:{v})_\w+|\w+_(?:{v})|views|\w+_views)$".format(v="|".join(sorted(VOCABULARY)))
)
MAX_LINES = 500


def _sources() -> list[Path]:
    """Every module of the apps, migrations aside."""
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def _modules() -> list[Path]:
    """The modules whose names are the code's own (a management command's is its CLI name)."""
    return [path for path in _sources() if "commands" not in path.relative_to(ROOT).parts]


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def test_no_foreign_key_points_up_the_layers():
    against = []
    for model in apps.get_models(include_auto_created=True):
        source = model._meta.app_label
        if source not in LAYER:
            continue
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            if isinstance(field.related_model, str):
                continue
            target = field.related_model._meta.app_label
            if target in LAYER and LAYER[target] > LAYER[source]:
                against.append(f"{model._meta.label}.{field.name} -> {target}")
    assert against == []


def test_no_private_name_is_imported_from_another_module():
    crossing = []
    for path in _sources():
        for node in ast.walk(_tree(path)):
            if not isinstance(node, ast.ImportFrom) or not node.module or node.level:
                continue
            if node.module.split(".")[0] not in APPS:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    crossing.append(f"{path.relative_to(ROOT)}: {node.module}.{alias.name}")
    assert crossing == []


def test_module_names_follow_the_vocabulary():
    flat = [str(path.relative_to(ROOT)) for path in _modules() if FLAT.match(path.stem) is not None]
    assert flat == []


def _migration_bodies(tree: ast.AST) -> set[ast.AST]:
    """The functions shaped like a migration's RunPython body, ``(apps, schema_editor)``: they
    are handed the historical registry and must look models up by name in it."""
    return {
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        and [argument.arg for argument in node.args.args] == ["apps", "schema_editor"]
    }


def test_no_app_code_looks_models_up_by_name():
    lookups = []
    for path in _sources():
        if "apps.get_model(" not in path.read_text():
            continue
        tree = _tree(path)
        allowed = {id(node) for body in _migration_bodies(tree) for node in ast.walk(body)}
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get_model"
                and id(node) not in allowed
            ):
                lookups.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert lookups == []


def test_no_first_party_import_hides_inside_a_function():
    """An import inside a function is how a cycle hides; place the code right instead."""
    hidden = []
    for path in _sources():
        tree = _tree(path)
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    top = node.module.split(".")[0]
                elif isinstance(node, ast.Import):
                    top = node.names[0].name.split(".")[0]
                else:
                    continue
                if top in APPS or (isinstance(node, ast.ImportFrom) and node.level):
                    hidden.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert hidden == []


def test_modules_stay_small():
    large = {
        str(path.relative_to(ROOT)): lines
        for path in _sources()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert large == {}


def test_every_domain_model_has_an_admin():
    """Rules held as data and every case are visible to an administrator (directly or inline)."""
    from django.contrib import admin

    shown = set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        shown.update(inline.model for inline in model_admin.inlines)
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in {"directory", "access", "credit", "commitments", "workflows"}
        and not model.__name__.startswith("Historical")
        and model not in shown
    ]
    assert missing == []


def test_a_foreign_key_against_the_layers_is_caught():
    """The check above sees what it claims to: a credit model pointing at commitments."""

    class Upward(models.Model):
        commitment = models.ForeignKey("commitments.Commitment", on_delete=models.CASCADE)

        class Meta:
            app_label = "credit"
            managed = False

        def __str__(self) -> str:
            return str(self.pk)

    try:
        field = Upward._meta.get_field("commitment")
        assert LAYER[field.related_model._meta.app_label] > LAYER[Upward._meta.app_label]
    finally:
        apps.all_models["credit"].pop("upward", None)
        apps.clear_cache()
