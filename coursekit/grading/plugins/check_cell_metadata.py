"""nbgrader's CheckCellMetadata, with its JSON schema checked once per process, not once per cell.

nbgrader validates every cell's nbgrader metadata with `jsonschema.validate(meta, schema)`, which
first checks the schema itself against JSON Schema's meta-schema: about 0.1 s each time it runs,
and it runs twice per autograded notebook (sanitizing, then recording).  Here the schema is
checked once and its compiled validator reused.  Everything else is nbgrader's own code: the
validator below is nbgrader's MetadataValidator with one step of its class chain, the schema
check, replaced (Python's method resolution order puts SchemaChecked between nbgrader's
MetadataValidator and its base), so the version checks, grade_id, points and duplicate-id rules
are nbgrader's.  nbgrader_config.py names CheckCellMetadata in both preprocessor lists.
"""

import functools

import jsonschema
from jsonschema.exceptions import best_match
from nbgrader import preprocessors as nbgrader_preprocessors
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError


@functools.cache
def _compiled(schema_version):
    schema = MetadataValidator().schema  # nbgrader's schema file for this version
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


class SchemaChecked(BaseMetadataValidator):
    """BaseMetadataValidator.validate_cell, with the compiled validator: the same checks, in order."""

    def validate_cell(self, cell):
        if "nbgrader" not in cell.metadata:
            return
        meta = cell.metadata["nbgrader"]
        version = meta.get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        error = best_match(_compiled(self.schema_version).iter_errors(meta))
        if error is not None:
            raise error


class Validator(MetadataValidator, SchemaChecked):
    """nbgrader's current MetadataValidator; its call to the base's validate_cell lands in SchemaChecked."""


class CheckCellMetadata(nbgrader_preprocessors.CheckCellMetadata):
    __doc__ = nbgrader_preprocessors.CheckCellMetadata.__doc__ + " (its schema compiled once)"

    def preprocess(self, nb, resources):
        try:
            Validator().validate_nb(nb)
        except ValidationError:
            # nbgrader's own handling: its preprocess logs the traceback and raises its message.
            return super().preprocess(nb, resources)
        return nb, resources
