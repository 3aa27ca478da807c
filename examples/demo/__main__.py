"""``python -m examples.demo``: the same as ``python examples/demo/serve.py``."""

import sys

from examples.demo.serve import main

sys.exit(main())
