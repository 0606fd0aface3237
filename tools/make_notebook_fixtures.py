#!/usr/bin/env python3
"""Reference verdicts for Lethe's nbformat 4.5 check (Tests/ShellTests/NotebookSchemaTests.swift).

Run by a developer (not by CI):
    VENV/bin/pip install nbformat jsonschema && VENV/bin/python tools/make_notebook_fixtures.py

Writes Tests/ShellTests/Fixtures/:
  nbformat.v4.5.schema.json   the schema as the nbformat package ships it (BSD-3-Clause, Project Jupyter)
  notebook_cases.json         small notebooks, one valid with every cell and output type and many broken
                              ones, each with jsonschema's Draft4 verdict;
                              nbformat.validate agrees with every verdict but one (it repairs a missing
                              cell id with a warning, where the schema requires one)
"""
import copy
import json
import os
import shutil

import jsonschema
import nbformat
from nbformat import v4

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "ShellTests", "Fixtures")
SCHEMA = os.path.join(os.path.dirname(v4.__file__), "nbformat.v4.5.schema.json")


def base():
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"language_info": {"name": "lethe"}, "title": "t"},
        "cells": [
            {"cell_type": "markdown", "id": "c0", "metadata": {}, "source": "## Heading"},
            {"cell_type": "code", "id": "c-1_a", "metadata": {}, "execution_count": 1, "source": ["tokenize \"x\"\n", "more"],
             "outputs": [
                 {"output_type": "stream", "name": "stdout", "text": "1 tokens: 87"},
                 {"output_type": "display_data", "data": {"image/svg+xml": "<svg/>", "text/plain": ["a", "b"]}, "metadata": {}},
                 {"output_type": "execute_result", "execution_count": 1, "data": {"text/plain": "x"}, "metadata": {}},
                 {"output_type": "error", "ename": "UsageError", "evalue": "bad", "traceback": ["bad"]},
             ]},
            {"cell_type": "code", "id": "c2", "metadata": {"tags": ["a", "b"]}, "execution_count": None, "source": "", "outputs": []},
            {"cell_type": "raw", "id": "c3", "metadata": {}, "source": "raw"},
        ],
    }


def mutations():
    """(name, function that breaks or keeps a copy of the base notebook)."""
    def setter(path, value):
        def apply(nb):
            target = nb
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        return apply

    def deleter(path):
        def apply(nb):
            target = nb
            for key in path[:-1]:
                target = target[key]
            del target[path[-1]]
        return apply

    return [
        ("valid", lambda nb: None),
        ("no cells", setter(["cells"], [])),
        ("nbformat 3", setter(["nbformat"], 3)),
        ("nbformat_minor 4", setter(["nbformat_minor"], 4)),
        ("nbformat_minor as text", setter(["nbformat_minor"], "5")),
        ("unknown top-level key", setter(["kernel"], "python3")),
        ("no metadata", deleter(["metadata"])),
        ("kernelspec without display_name", setter(["metadata", "kernelspec"], {"name": "lethe"})),
        ("kernelspec complete", setter(["metadata", "kernelspec"], {"name": "lethe", "display_name": "Lethe"})),
        ("language_info without name", setter(["metadata", "language_info"], {"file_extension": ".lethe"})),
        ("extra metadata allowed", setter(["metadata", "lethe"], {"seed": 0})),
        ("cell without id", deleter(["cells", 0, "id"])),
        ("cell id with a space", setter(["cells", 0, "id"], "c 0")),
        ("cell id empty", setter(["cells", 0, "id"], "")),
        ("cell id 65 characters", setter(["cells", 0, "id"], "a" * 65)),
        ("cell id 64 characters", setter(["cells", 0, "id"], "a" * 64)),
        ("markdown cell with outputs", setter(["cells", 0, "outputs"], [])),
        ("markdown source as number", setter(["cells", 0, "source"], 3)),
        ("markdown source list of numbers", setter(["cells", 0, "source"], [1, 2])),
        ("unknown cell type", setter(["cells", 0, "cell_type"], "heading")),
        ("code cell without outputs", deleter(["cells", 1, "outputs"])),
        ("code cell without execution_count", deleter(["cells", 1, "execution_count"])),
        ("execution_count negative", setter(["cells", 1, "execution_count"], -1)),
        ("execution_count as text", setter(["cells", 1, "execution_count"], "1")),
        ("execution_count fractional", setter(["cells", 1, "execution_count"], 1.5)),
        ("stream without text", deleter(["cells", 1, "outputs", 0, "text"])),
        ("stream text as list", setter(["cells", 1, "outputs", 0, "text"], ["a\n", "b"])),
        ("stream unknown key", setter(["cells", 1, "outputs", 0, "color"], "red")),
        ("display_data without metadata", deleter(["cells", 1, "outputs", 1, "metadata"])),
        ("display_data svg as number", setter(["cells", 1, "outputs", 1, "data", "image/svg+xml"], 7)),
        ("display_data bad mime key", setter(["cells", 1, "outputs", 1, "data", "svg"], "<svg/>")),
        ("display_data json mime object", setter(["cells", 1, "outputs", 1, "data", "application/json"], {"a": 1})),
        ("execute_result without execution_count", deleter(["cells", 1, "outputs", 2, "execution_count"])),
        ("error without traceback", deleter(["cells", 1, "outputs", 3, "traceback"])),
        ("error traceback as text", setter(["cells", 1, "outputs", 3, "traceback"], "bad")),
        ("unknown output type", setter(["cells", 1, "outputs", 0, "output_type"], "print")),
        ("duplicate tags", setter(["cells", 2, "metadata", "tags"], ["a", "a"])),
        ("tag with a comma", setter(["cells", 2, "metadata", "tags"], ["a,b"])),
        ("metadata name empty", setter(["cells", 2, "metadata", "name"], "")),
        ("cell metadata not an object", setter(["cells", 2, "metadata"], [])),
        ("raw cell with attachments", setter(["cells", 3, "attachments"], {"a.png": {"image/png": "AAAA"}})),
        ("raw cell with execution_count", setter(["cells", 3, "execution_count"], 1)),
        ("cells not a list", setter(["cells"], {"0": {}})),
        ("notebook is a list", None),
    ]


def main():
    os.makedirs(OUT, exist_ok=True)
    shutil.copyfile(SCHEMA, os.path.join(OUT, "nbformat.v4.5.schema.json"))
    with open(SCHEMA) as f:
        schema = json.load(f)
    validator = jsonschema.Draft4Validator(schema)
    cases = []
    for name, mutate in mutations():
        if mutate is None:
            document = [base()]
        else:
            document = copy.deepcopy(base())
            mutate(document)
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        valid = not errors
        # nbformat's own validator is the one Jupyter runs; it must agree with the schema's verdict.
        try:
            nbformat.validate(copy.deepcopy(document), version=4, version_minor=5)
            nbformat_valid = True
        except Exception:
            nbformat_valid = False
        # The one known difference: nbformat repairs a missing cell id (with a warning) instead of failing.
        assert nbformat_valid == valid or name == "cell without id", name
        cases.append({"name": name, "valid": valid, "notebook": document})
    with open(os.path.join(OUT, "notebook_cases.json"), "w") as f:
        json.dump(cases, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"{len(cases)} cases, {sum(c['valid'] for c in cases)} valid")


if __name__ == "__main__":
    main()
