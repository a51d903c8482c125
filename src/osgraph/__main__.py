"""``python -m osgraph`` runs the ``osgraph`` command."""

from osgraph.cli import main

main()
