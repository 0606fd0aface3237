#!/usr/bin/env python3
"""Validate notebooks exported by `lethe export` (or `%notebook`) against the nbformat 4.5 schema.

    VENV/bin/pip install nbformat
    .build/release/lethe export sessions/gpt2-evaluation.lethe /tmp/eval.ipynb
    VENV/bin/python tools/validate_notebook.py /tmp/eval.ipynb
"""
import sys

import nbformat


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: validate_notebook.py NOTEBOOK.ipynb [...]")
    for path in sys.argv[1:]:
        notebook = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        if (notebook.nbformat, notebook.nbformat_minor) != (4, 5):
            sys.exit(f"{path}: nbformat {notebook.nbformat}.{notebook.nbformat_minor}, expected 4.5")
        nbformat.validate(notebook, version=4, version_minor=5)   # raises ValidationError with the failing path
        print(f"{path}: valid nbformat 4.5 ({len(notebook.cells)} cells)")


if __name__ == "__main__":
    main()
