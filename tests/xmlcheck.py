"""Checking an XML document against an official schema, every error shown."""


def assert_valid(schema, doc) -> None:
    """`doc` (an lxml element or tree) is valid against `schema`; else every error is shown."""
    assert schema.validate(doc), "\n".join(str(e) for e in schema.error_log)
