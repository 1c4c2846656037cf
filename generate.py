#!/usr/bin/env python3
"""Build the ALL caregiver handouts: `python generate.py --help`."""

import sys

from handoutgen.cli import main

if __name__ == "__main__":
    sys.exit(main())
