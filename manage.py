#!/usr/bin/env python
from askfirst.cli import main

if __name__ == "__main__":
    main()
