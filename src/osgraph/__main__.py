"""``python -m osgraph`` runs the ``osgraph`` command."""

from osgraph._cli import main

main()
