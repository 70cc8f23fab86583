"""Generated answers through a real OpenAI-protocol server on 127.0.0.1 (tests/openai_server.py)."""

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import SecretStr

from rag import Answer, Assistant, ChatMessage, Delta, Filters, Final, StreamEvent
from rag.answer.generation import says_not_stated
from rag.config import Settings
from rag.errors import ConfigError
from tests.conftest import NEWS_LATER, make_settings
from tests.openai_server import FakeOpenAI, Reply

QUESTION = "Why is Windsurf the flashpoint?"


def _prompt(request: dict[str, Any]) -> str:
    return "\n".join(m["content"] for m in request["messages"])


def _passage_number(request: dict[str, Any], needle: str) -> int:
    """The number the prompt gave to the passage containing `needle`."""
    blocks = re.split(r"\n(?=\[\d+\] Title:)", _prompt(request))
    for block in blocks:
        match = re.search(r"\[(\d+)\] Title:", block)
        if match and needle in block:
            return int(match.group(1))
    raise AssertionError(f"{needle!r} not in the prompt")


def _citing(needle: str, reply: str) -> Callable[[dict[str, Any]], Reply]:
    """A model that answers `reply`, its `{n}` the number of the passage with `needle`."""
    return lambda request: Reply(reply.format(n=_passage_number(request, needle)))


def _is_condense(request: dict[str, Any]) -> bool:
    return "standalone" in request["messages"][0]["content"]


def _windsurf_answer(request: dict[str, Any]) -> Reply:
    n = _passage_number(request, "heißt Windsurf")
    return Reply(
        f"Microsoft demands access to all intellectual property OpenAI acquires [{n}]. "
        f"OpenAI bought Windsurf for $3 billion [{n}]."
    )


def _final(items: list[StreamEvent]) -> Answer:
    """The stream's answer: deltas, then one Final that says the deltas were all of it."""
    last = items[-1]
    assert isinstance(last, Final)
    assert all(isinstance(i, Delta) for i in items[:-1])
    assert last.streamed == "".join(i.text for i in items[:-1] if isinstance(i, Delta))
    return last.answer


def test_generated_answer_cites_the_windsurf_passage(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = _windsurf_answer
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "llm"
    assert answer.text.count("[1]") == 2
    assert len(answer.citations) == 1
    cited = answer.citations[0]
    assert "heißt Windsurf" in cited.text and "geistige Eigentum" in cited.text
    assert "geistige Eigentum" in cited.quote, "the quote supports the IP claim"
    (request,) = openai_server.chat_requests()
    prompt = _prompt(request)
    assert request["model"] == "local-test-model"
    assert "[1] Title:" in prompt and "[2] Title:" in prompt
    assert "Question: Why is Windsurf the flashpoint?" in prompt
    assert "heißt Windsurf" in prompt
    assert "English" in request["messages"][0]["content"]


def test_markers_are_renumbered_and_invalid_ones_dropped(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply("First [3]. Second [1, 3]. Bogus [9]. Zero [0].")
    answer = llm_assistant.ask(QUESTION)
    assert answer.text.endswith("First [1]. Second [2][1]. Bogus. Zero.")
    request = openai_server.chat_requests()[0]
    numbered = dict(re.findall(r"\[(\d+)\] Title: [^\n]*\n([^\n]{0,40})", _prompt(request)))
    assert [c.n for c in answer.citations] == [1, 2]
    assert answer.citations[0].text.startswith(numbered["3"])
    assert answer.citations[1].text.startswith(numbered["1"])


def test_stream_yields_deltas_then_the_answer(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda r: Reply(_windsurf_answer(r).text, chunk_chars=4)
    items = list(llm_assistant.stream(QUESTION))
    answer = _final(items)
    assert len(items) > 10, "many small deltas"
    assert "".join(i.text for i in items[:-1] if isinstance(i, Delta)) == answer.text
    assert items[-1] == Final(answer, answer.text, "", False)
    assert answer.citations


@pytest.mark.parametrize(
    ("reply", "notice", "requests"),
    [
        (Reply(status=500), "HTTP 500", 2),
        (Reply(status=429), "429", 2),
        (Reply(status=401), "API key", 1),
        (Reply("too late", delay=2.5), "in time", 2),
        (Reply("Windsurf is the flash point of it all", drop_after=2), "dropped", 1),
        (Reply(""), "answer was empty", 1),
        (Reply("[1]"), "answer was empty", 1),
        (Reply(" [2][1]. "), "answer was empty", 1),
        (Reply("Windsurf is the flashpoint of the alliance."), "cited no passage", 1),
    ],
    ids=[
        "http-500",
        "http-429",
        "http-401",
        "slow",
        "dropped",
        "empty",
        "bare-marker",
        "markers-only",
        "uncited",
    ],  # fmt: skip
)
def test_faults_end_in_the_cited_extractive_answer(
    llm_assistant: Assistant,
    openai_server: FakeOpenAI,
    reply: Reply,
    notice: str,
    requests: int,
    caplog: pytest.LogCaptureFixture,
) -> None:
    openai_server.responder = lambda _r: reply
    caplog.set_level(logging.DEBUG)
    answer = _final(list(llm_assistant.stream(QUESTION)))
    assert answer.mode == "extractive"
    assert notice in answer.notice
    assert answer.citations and "heißt Windsurf" in answer.citations[0].text
    assert len(openai_server.chat_requests()) == requests, "retried with backoff, bounded"


def test_rate_limit_then_success_is_retried(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    replies = iter([Reply(status=429)])
    openai_server.responder = lambda r: next(replies, None) or _windsurf_answer(r)
    answer = llm_assistant.ask(QUESTION)
    assert answer.mode == "llm"
    assert not answer.notice
    assert len(openai_server.chat_requests()) == 2


def test_follow_up_is_condensed_before_retrieval(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    standalone = (
        "How did OpenAI respond to Microsoft's demand for Windsurf's intellectual property?"
    )

    def respond(request: dict[str, Any]) -> Reply:
        if _is_condense(request):
            return Reply(standalone)
        n = _passage_number(request, "OpenAI lehnt ab")
        return Reply(f"OpenAI refused [{n}].")

    openai_server.responder = respond
    history = [
        ChatMessage("user", QUESTION),
        ChatMessage("assistant", "Microsoft wants Windsurf's IP [1]."),
    ]
    answer = llm_assistant.chat("And what did OpenAI answer?", history)
    condense, generate = openai_server.chat_requests()
    assert "And what did OpenAI answer?" in _prompt(condense)
    assert QUESTION in _prompt(condense)
    # the user's own question, with the standalone form it was understood as
    assert f"Question: And what did OpenAI answer?\n(understood as: {standalone})" in _prompt(
        generate
    )
    assert answer.mode == "llm"
    assert answer.citations[0].quote == "OpenAI lehnt ab."


@pytest.mark.parametrize(
    "rewrite",
    [
        "OpenAI responded by stating that it refuses to hand over Windsurf's code.",  # answered
        "Wie hat OpenAI auf die Forderung von Microsoft geantwortet?",  # another language
        "What is the capital of Australia?",  # shares nothing with the question
    ],
)
def test_a_rewrite_that_is_not_one_falls_back_to_the_joined_questions(
    llm_assistant: Assistant, openai_server: FakeOpenAI, rewrite: str
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        if _is_condense(request):
            return Reply(rewrite)
        n = _passage_number(request, "OpenAI reagierte")
        return Reply(f"OpenAI responded by buying Windsurf, a rival of GitHub Copilot [{n}].")

    openai_server.responder = respond
    history = [
        ChatMessage("user", "Why is Windsurf the flashpoint between OpenAI and Microsoft?"),
        ChatMessage("assistant", "Microsoft wants Windsurf's IP [1]."),
    ]
    answer = llm_assistant.chat("And how did OpenAI respond?", history)
    generate = openai_server.chat_requests()[-1]
    assert "Question: And how did OpenAI respond?" in _prompt(generate)
    assert rewrite not in _prompt(generate)
    assert answer.mode == "llm" and "OpenAI reagierte" in answer.citations[0].quote


def test_follow_up_leans_on_the_history_when_condensing_fails(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        return Reply("", status=500) if _is_condense(request) else _windsurf_answer(request)

    openai_server.responder = respond
    history = [ChatMessage("user", QUESTION), ChatMessage("assistant", "Windsurf [1].")]
    answer = llm_assistant.chat("Why?", history)
    generate = openai_server.chat_requests()[-1]
    assert f"Question: Why?\n(understood as: {QUESTION} Why?)" in _prompt(generate)
    assert answer.mode == "llm" and answer.citations


def test_weak_evidence_abstains_without_calling_the_model(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    answer = llm_assistant.ask("What is the capital of Australia?")
    assert answer.citations == []
    assert "do not answer" in answer.text
    assert openai_server.chat_requests() == []


def test_a_bare_why_with_no_history_asks_for_a_question_without_calling_the_model(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    answer = llm_assistant.ask("Warum?")
    assert answer.citations == [] and answer.text.startswith("Bitte stellen Sie")
    assert openai_server.chat_requests() == []


def test_german_question_asks_for_a_german_answer(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda r: Reply("Wegen des geistigen Eigentums [1].")
    llm_assistant.ask("Warum ist Windsurf der Auslöser des Streits?")
    assert "German" in openai_server.chat_requests()[0]["messages"][0]["content"]


def test_key_is_sent_but_never_shown(
    seed_settings: Any,
    embed_model: Any,
    openai_server: FakeOpenAI,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "sk-test-SECRET-1234567890"
    settings = seed_settings.model_copy(
        update={"llm_base_url": openai_server.base_url, "openai_api_key": SecretStr(secret),
                "llm_timeout": 1.0, "llm_max_retries": 0}
    )  # fmt: skip
    assistant = Assistant(settings, embed_model=embed_model)
    openai_server.responder = lambda _r: Reply(status=401)
    caplog.set_level(logging.DEBUG)
    answer = assistant.ask(QUESTION)
    assert openai_server.chat_requests()[0]["_auth"] == f"Bearer {secret}"
    assert secret not in answer.notice + answer.text + assistant.mode_label()
    assert secret not in caplog.text
    assert secret not in repr(settings)


def test_llm_mode_without_key_or_url_is_a_clear_error(tmp_path: Any) -> None:
    with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
        Assistant(make_settings(tmp_path, answer_mode="llm"))
    assert Assistant(make_settings(tmp_path)).llm is None, "auto without a key is extractive"


def test_a_llama_index_llm_can_be_passed_in(
    seed_settings: Any, embed_model: Any, openai_server: FakeOpenAI
) -> None:
    from llama_index.llms.openai_like import OpenAILike

    llm = OpenAILike(
        model="served-model", api_base=openai_server.base_url, api_key="unused",
        is_chat_model=True, max_retries=0, timeout=2.0,
    )  # fmt: skip
    assistant = Assistant(seed_settings, embed_model=embed_model, llm=llm)
    openai_server.responder = _windsurf_answer
    items = list(assistant.stream(QUESTION))
    answer = _final(items)
    assert answer.mode == "llm"
    assert "heißt Windsurf" in answer.citations[0].text
    assert openai_server.chat_requests()[0]["model"] == "served-model"
    openai_server.responder = lambda _r: Reply(status=503)
    failed = assistant.ask(QUESTION)
    assert "HTTP 503" in failed.notice
    assert failed.citations


@pytest.fixture
def news_llm(news_settings: Settings, embed_model: Any, openai_server: FakeOpenAI) -> Assistant:
    """The dated news index answered by the model on the local test server."""
    settings = news_settings.model_copy(
        update={
            "llm_base_url": openai_server.base_url,
            "llm_model": "local-test-model",
            "today": dt.date.fromisoformat(NEWS_LATER),  # every article is news by then
        }
    )
    return Assistant(settings, embed_model=embed_model)


def test_the_prompt_dates_each_passage_and_asks_for_the_newest(
    news_llm: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = _citing("1,400 jobs", "The yard will cut 1,400 jobs [{n}].")
    answer = news_llm.ask("What is the latest number of jobs the shipyard will cut?")
    [request] = openai_server.chat_requests()
    system, user = request["messages"][0]["content"], request["messages"][1]["content"]
    assert "(Lake Region Times, 2024-08-22)" in user
    assert re.search(
        r"\[\d+\] Title: .+ \((Seekurier|Lindauer Tagblatt|Lake Region Times), 2024-", user
    )
    assert "Prefer the newest information" in system and "with both dates" in system
    assert 'start with "As of' in system, "asked for the latest: the as-of rule"
    # The model left out the day: the answer gets it, in the question's language.
    assert answer.text == "The yard will cut 1,400 jobs [1].\n\n(As of 22 August 2024.)"
    assert answer.citations[0].date == "2024-08-22"
    assert answer.filters is not None and answer.filters.latest


def test_an_answer_that_says_as_of_is_left_alone_and_plain_questions_get_no_as_of_rule(
    news_llm: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = _citing(
        "1.400 Stellen", "Stand 20. Juni 2024 sind es 1.400 Stellen [{n}]."
    )
    latest = news_llm.ask("Wie viele Stellen streicht die Bodan-Werft zuletzt?")
    assert latest.text == "Stand 20. Juni 2024 sind es 1.400 Stellen [1]."
    plain = news_llm.ask("Wie viele Stellen streicht die Bodan-Werft laut der Korrektur?")
    system = openai_server.chat_requests()[-1]["messages"][0]["content"]
    assert 'start with "As of' not in system
    assert "(Stand" not in plain.text


def test_a_filter_matching_nothing_never_reaches_the_model(
    news_llm: Assistant, openai_server: FakeOpenAI
) -> None:
    answer = news_llm.ask("What happened at the shipyard in May 2023?")
    assert answer.text == "No articles from 1–31 May 2023 match this search."
    assert openai_server.chat_requests() == []


def test_a_model_answer_from_outside_a_filter_says_so(
    news_llm: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = _citing(
        "5,51 Metern", "Der Pegel in Konstanz lag bei 5,51 Metern [{n}]."
    )
    since_august = Filters(since=dt.date(2024, 8, 1))
    answer = news_llm.ask("Wie hoch stieg der Pegel des Bodensees?", filters=since_august)
    lead = "Die Artikel seit dem 1. August 2024 beantworten das möglicherweise nicht; diese"
    assert answer.text.startswith(lead), answer.notice
    assert answer.text.endswith("5,51 Metern [1]."), answer.notice
    assert answer.filters is not None and answer.filters.outside
    assert answer.citations[0].date == "2024-06-06"
    streamed = "".join(
        d.text
        for d in news_llm.stream("Wie hoch stieg der Pegel des Bodensees?", filters=since_august)
        if isinstance(d, Delta)
    )
    assert streamed.startswith(lead), "the lead streams first"


@pytest.mark.parametrize(
    "reply",
    [
        "The passages do not say who the CEO of Windsurf is [1].",
        "The CEO is not mentioned in the passages. [2]",
        "Die Passagen enthalten keine Angaben zum Chef von Windsurf [1].",
        "Aus den Passagen geht nicht hervor, wer Windsurf leitet.",
    ],
)
def test_a_model_saying_the_passages_lack_the_answer_cites_nothing(
    llm_assistant: Assistant, openai_server: FakeOpenAI, reply: str
) -> None:
    openai_server.responder = lambda _r: Reply(reply)
    answer = llm_assistant.ask("Who is the CEO of Windsurf?")
    assert answer.confidence == "none" and answer.citations == []
    assert answer.text == re.sub(r"\s*\[\d+\]", "", reply).strip()


def test_says_not_stated_only_for_short_refusals() -> None:
    assert says_not_stated("The articles do not mention it [1].")
    assert not says_not_stated("Microsoft hired Mustafa Suleyman [1].")
    long = "Microsoft wants the IP [1]. OpenAI refuses [2]. The price is not stated [1]."
    assert not says_not_stated(long), "a real answer that notes one gap keeps its citations"


def test_no_model_call_when_the_articles_are_not_about_it(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    answer = llm_assistant.ask("What is the capital of Australia?")
    assert answer.confidence == "none" and answer.citations == []
    assert openai_server.chat_requests() == []


def test_a_marker_after_the_full_stop_cites_the_claim_before_it(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        ip, hire = _passage_number(request, "heißt Windsurf"), _passage_number(request, "Suleyman")
        return Reply(
            f"Microsoft demands all intellectual property OpenAI acquires. [{ip}] "
            f"Microsoft hired Mustafa Suleyman to lead an internal AI division. [{hire}]"
        )

    openai_server.responder = respond
    answer = llm_assistant.ask("Wen hat Microsoft eingestellt, um seine KI-Abteilung zu leiten?")
    assert [c.n for c in answer.citations] == [1, 2]
    assert "geistige Eigentum" in answer.citations[0].quote
    assert "Mustafa Suleyman" in answer.citations[1].quote, "the last claim has its quote"


SULEYMAN_QUESTION = "Who did Microsoft hire to lead its internal AI division?"
SULEYMAN_CLAIM = "Microsoft hired Mustafa Suleyman to lead an internal AI division"


def _other_passage(request: dict[str, Any], needle: str) -> int:
    """A passage number of the prompt whose passage does not contain `needle`."""
    right = _passage_number(request, needle)
    return next(n for n in (1, 2, 3) if n != right)


def test_a_citation_its_passage_does_not_support_goes_to_the_one_that_does(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda r: Reply(
        f"{SULEYMAN_CLAIM} [{_other_passage(r, 'Suleyman')}]."
    )
    answer = llm_assistant.ask(SULEYMAN_QUESTION)
    assert answer.mode == "llm" and not answer.notice and not answer.unsupported
    [cited] = answer.citations
    assert "Mustafa Suleyman" in cited.quote and cited.support and cited.support > 0.84
    assert answer.text.endswith("division [1].")


def test_a_claim_without_a_marker_gets_the_passage_that_states_it(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply(SULEYMAN_CLAIM + ".")
    answer = llm_assistant.ask(SULEYMAN_QUESTION)
    assert answer.mode == "llm" and answer.text.endswith("division [1].")
    assert "Mustafa Suleyman" in answer.citations[0].quote


def test_an_invented_answer_becomes_the_cited_extractive_one(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply("The CEO of Windsurf is Varun Mohan [1].")
    answer = llm_assistant.ask("Who is the CEO of Windsurf?")
    assert answer.mode == "extractive" and answer.citations
    assert "was not in the passages" in answer.notice
    assert "Varun" not in answer.text


def test_a_statement_no_passage_supports_is_flagged(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda r: Reply(
        f"{SULEYMAN_CLAIM} [{_passage_number(r, 'Suleyman')}]. "
        "The CEO of Windsurf is Varun Mohan [1]."
    )
    answer = llm_assistant.ask(SULEYMAN_QUESTION)
    assert answer.mode == "llm" and not answer.notice
    assert answer.unsupported == ("The CEO of Windsurf is Varun Mohan.",)
    assert answer.text.endswith("division [1]. The CEO of Windsurf is Varun Mohan.")
    assert answer.as_dict()["unsupported"] == ["The CEO of Windsurf is Varun Mohan."]


def _with(assistant: Assistant, **settings: Any) -> Assistant:
    """The same index and model server, other settings."""
    changed = assistant.settings.model_copy(update=settings)
    return Assistant(changed, embed_model=assistant.embed_model)


def test_a_prompt_of_many_passages_is_cut_to_the_models_context(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.context_tokens = 1536  # the seed article's 15 passages need more
    openai_server.responder = _windsurf_answer
    small = _with(llm_assistant, llm_context_tokens=1536)
    answer = small.ask(QUESTION, top_k=50)
    assert answer.mode == "llm" and not answer.notice
    (request,) = openai_server.chat_requests()
    assert request["max_tokens"] == 512
    shown = len(re.findall(r"^\[\d+\] Title:", _prompt(request), re.MULTILINE))
    assert 1 <= shown < 15, "the lowest-scored passages were left out"


def test_a_context_refusal_keeps_the_servers_words(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.context_tokens = 1024  # smaller than the server was said to have
    answer = _with(llm_assistant, llm_context_tokens=32768).ask(QUESTION, top_k=50)
    assert answer.mode == "extractive" and answer.citations
    assert "context is smaller than the prompt" in answer.notice
    assert "available context size (1024 tokens)" in answer.notice


def test_a_context_too_small_for_one_passage_says_so(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    answer = _with(llm_assistant, llm_context_tokens=700, llm_max_tokens=512).ask(QUESTION)
    assert (
        answer.mode == "extractive" and "does not fit the model's context of 700" in answer.notice
    )
    assert openai_server.chat_requests() == []


def test_sampling_settings_are_sent(llm_assistant: Assistant, openai_server: FakeOpenAI) -> None:
    openai_server.responder = _windsurf_answer
    _with(llm_assistant, llm_temperature=0.7, llm_seed=42, llm_max_tokens=300).ask(QUESTION)
    (request,) = openai_server.chat_requests()
    assert (request["temperature"], request["seed"], request["max_tokens"]) == (0.7, 42, 300)
    openai_server.requests.clear()
    llm_assistant.ask(QUESTION)
    assert "seed" not in openai_server.chat_requests()[0], "no seed unless one is set"


def test_a_slow_first_token_gives_the_cited_fallback(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    openai_server.responder = lambda _r: Reply("late [1]", delay=1.0)
    slow = _with(llm_assistant, llm_timeout=30.0, llm_first_token_timeout=0.3, llm_max_retries=0)
    answer = slow.ask(QUESTION)
    assert answer.mode == "extractive" and "in time" in answer.notice and answer.citations


def test_retries_stop_at_the_deadline(llm_assistant: Assistant, openai_server: FakeOpenAI) -> None:
    openai_server.responder = lambda _r: Reply("late [1]", delay=0.6)
    hurried = _with(
        llm_assistant, llm_timeout=0.5, llm_first_token_timeout=0.5, llm_max_retries=5,
        llm_deadline=1.0,
    )  # fmt: skip
    answer = hurried.ask(QUESTION)
    assert answer.mode == "extractive"
    assert len(openai_server.chat_requests()) == 2, "two attempts of 0.5 s fit 1 s, not six"


def test_an_answer_in_the_wrong_language_is_asked_again(
    llm_assistant: Assistant, openai_server: FakeOpenAI
) -> None:
    def respond(request: dict[str, Any]) -> Reply:
        n = _passage_number(request, "heißt Windsurf")
        if len(request["messages"]) > 2:  # the retry, with the rule restated
            return Reply(f"Microsoft demands all intellectual property OpenAI acquires [{n}].")
        return Reply(f"Microsoft verlangt Zugriff auf das gesamte geistige Eigentum [{n}].")

    openai_server.responder = respond
    answer = llm_assistant.ask(QUESTION)
    first, retry = openai_server.chat_requests()
    assert "not entirely in English" in retry["messages"][-1]["content"]
    assert answer.mode == "llm" and not answer.notice
    assert answer.text.endswith("Microsoft demands all intellectual property OpenAI acquires [1].")


def test_a_second_slip_is_noticed(llm_assistant: Assistant, openai_server: FakeOpenAI) -> None:
    openai_server.responder = lambda r: Reply(
        "Microsoft wants all of the IP OpenAI buys "
        f"[{_passage_number(r, 'heißt Windsurf')}]. "
        "Microsoft verlangt Zugriff auf das gesamte geistige Eigentum, das OpenAI erwirbt."
    )
    answer = llm_assistant.ask(QUESTION)
    assert len(openai_server.chat_requests()) == 2
    assert "may not be in English" in answer.notice
