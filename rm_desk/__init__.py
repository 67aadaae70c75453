"""RM Desk: a desktop workbench for bank relationship managers.

The one place the version is written; pyproject, the installer and the MSI read it from here.
"""

__version__ = "0.1.0"
