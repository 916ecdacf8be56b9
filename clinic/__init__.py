"""clinic: terminology and paperwork for people who protect migrants and victims of
trafficking in Thailand. The CLI (clinic.cli) is a thin shell over this library."""

__version__ = "0.1.0"
