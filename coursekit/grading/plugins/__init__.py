"""nbgrader plug-ins (preprocessors named in nbgrader_config.py), one per module."""
