"""bhcp-ag: the Advice and Guidance desktop app of Bay Health and Care Partners."""

__version__ = "0.2.0"
