"""The executive summary of a run and ad-hoc questions about it: digest -> redacted prompt -> chat -> restored."""

from __future__ import annotations

from typing import TYPE_CHECKING

from oci_inventory.genai.config import GenAiConfig
from oci_inventory.genai.prompt import SUMMARY_TASK, Prompt, build_prompt
from oci_inventory.genai.redact import Redactor
from oci_inventory.report.digest import GenAiSection, RunDigest

if TYPE_CHECKING:
    from oci_inventory.oci.clients import ClientFactory

ANSWER_LIMIT = 20_000  # characters of the model's answer kept (run_summary.json stays small)


def summary_prompt(digest: RunDigest) -> tuple[Prompt, Redactor]:
    return build_prompt(digest, SUMMARY_TASK)


def describe(exc: BaseException) -> str:
    """One line for a failed chat call: ``404 NotAuthorizedOrNotFound: ...`` or ``<type>: <message>``."""
    status, code = getattr(exc, "status", None), getattr(exc, "code", None)
    message = getattr(exc, "message", None) or str(exc)
    text = f"{status} {code}: {message}" if status is not None and code else f"{type(exc).__name__}: {message}"
    return " ".join(text.split())[:300]


def executive_summary(digest: RunDigest, factory: ClientFactory, config: GenAiConfig) -> GenAiSection:
    """Ask the model for the summary; a failure is returned as the section's ``error``, never raised."""
    from oci_inventory.genai.client import chat

    prompt, redactor = summary_prompt(digest)
    try:
        answer = chat(factory, config, prompt)
    except Exception as exc:  # a GenAI failure never fails a run
        return GenAiSection(model=config.model_id, text=None, error=describe(exc), redactions=redactor.counts())
    text = redactor.restore(answer.text)[:ANSWER_LIMIT]
    return GenAiSection(model=answer.model, text=text, redactions=redactor.counts())


def ask(digest: RunDigest, factory: ClientFactory, config: GenAiConfig, question: str) -> str:
    """``genai-chat``: the restored answer to ``question`` about the run (errors propagate: exit codes apply)."""
    from oci_inventory.genai.client import chat

    prompt, redactor = question_prompt(digest, question)
    return redactor.restore(chat(factory, config, prompt).text)


def question_prompt(digest: RunDigest, question: str) -> tuple[Prompt, Redactor]:
    task = f"Answer this question about the run, briefly and in plain text, from the digest only:\n{question}"
    return build_prompt(digest, task)
