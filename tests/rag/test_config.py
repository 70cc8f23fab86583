"""The settings: every one is documented in docs/configuration.md."""

from pathlib import Path

from rag import Settings, Tuning

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_setting_and_tuned_value_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    names = [
        "OPENAI_API_KEY" if name == "openai_api_key" else f"RAG_{name.upper()}"
        for name in Settings.model_fields
        if name != "tuning"
    ]
    names += [f"RAG_TUNING__{name.upper()}" for name in Tuning.model_fields]
    assert [name for name in names if f"`{name}`" not in text] == []


def test_every_setting_has_a_description() -> None:
    fields = {**Settings.model_fields, **Tuning.model_fields}
    assert [name for name, field in fields.items() if not field.description] == []
