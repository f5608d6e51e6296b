"""`python -m wengert …`: the `wengert` command line (see wengert.cli)."""
from .cli import main

raise SystemExit(main())
