"""Run the command-line interface: ``python -m kamtibmas_geo``."""

from kamtibmas_geo.cli import main

if __name__ == "__main__":
    main()
