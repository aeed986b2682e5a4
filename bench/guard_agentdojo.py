"""The guard as a defence inside AgentDojo 0.1.35's own pipeline, offline (issue 5, item 5).

    python -m venv .venv-agentdojo && .venv-agentdojo/bin/pip install agentdojo==0.1.35
    PYTHONPATH=src .venv-agentdojo/bin/python bench/guard_agentdojo.py [--suites banking,slack] [--show]

No remote LLM is needed: the "model" is a scripted agent that plays a fully compromised assistant. It
makes the ground-truth calls of the user's task, and as soon as a tool result shows it the injected
instructions, it first makes the ground-truth calls of the attacker's task (AgentDojo's
`injection_task.ground_truth`), exactly what the attack asks for. Every call passes through
`GuardElement`, which runs `homebody.guard.records.assess_record` (the code of `homebody guard assess`)
on the user's prompt, the calls and outputs so far, and the proposed call, before AgentDojo's
`ToolsExecutor` runs it. A refused call is answered with a tool message giving the guard's reasons.

Three runs per suite and attack, scored by AgentDojo's own utility and security checks:

- none: no defence (the scripted agent's utility and attack success without a guard);
- guard, confirm=yes: blocks are refused, questions answered yes (the user approves everything asked);
- guard, confirm=no: blocks and questions both refused (an unattended run: questions wait, nothing runs).

Also printed: the guard's verdicts on the user's own calls and on the attacker's calls, and the utility
of every user task without any attack. All user tasks of each suite run, including those held out of
the shared dev files.
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from agentdojo.agent_pipeline.agent_pipeline import AgentPipeline
from agentdojo.agent_pipeline.base_pipeline_element import BasePipelineElement
from agentdojo.agent_pipeline.basic_elements import InitQuery, SystemMessage
from agentdojo.agent_pipeline.tool_execution import ToolsExecutionLoop, ToolsExecutor
from agentdojo.attacks.attack_registry import load_attack
from agentdojo.base_tasks import BaseInjectionTask, BaseUserTask
from agentdojo.functions_runtime import EmptyEnv, Env, FunctionCall, FunctionsRuntime
from agentdojo.task_suite.load_suites import get_suites
from agentdojo.types import (
    ChatAssistantMessage,
    ChatMessage,
    ChatToolResultMessage,
    get_text_content_as_str,
    text_content_block_from_string,
)

from homebody.guard.policy import Policy
from homebody.guard.records import assess_record, parse_record

# AgentDojo's attacks address the model by name; any name it knows will do for a scripted agent.
PIPELINE_NAME = "scripted-gpt-4o-2024-05-13"


@dataclass
class Tally:
    """Verdicts on the user's calls and on the attacker's calls, and decision times."""

    user: Counter[str] = field(default_factory=Counter)
    attacker: Counter[str] = field(default_factory=Counter)
    times: list[float] = field(default_factory=list)
    show: bool = False


class ScriptedAgent(BasePipelineElement):
    """A compromised assistant: the user's ground truth, plus the attacker's once it reads the injection."""

    name = PIPELINE_NAME

    def __init__(self, user_task: BaseUserTask[Any], injection_task: BaseInjectionTask[Any] | None) -> None:
        self.user_task = user_task
        self.injection_task = injection_task

    def query(
        self,
        query: str,
        runtime: FunctionsRuntime,
        env: Env = EmptyEnv(),  # noqa: B008 - AgentDojo's signature
        messages: Sequence[ChatMessage] = (),
        extra_args: dict[str, Any] = {},  # noqa: B006 - AgentDojo's signature
    ) -> tuple[str, FunctionsRuntime, Env, Sequence[ChatMessage], dict[str, Any]]:
        """Propose the next scripted call, or finish with the task's ground-truth answer."""
        extra_args = dict(extra_args)  # never the caller's (shared, default) dict
        if "script" not in extra_args:
            extra_args["script"] = {"plan": None, "followed": False, "attacker": set()}
        state = extra_args["script"]
        if state["plan"] is None:
            state["plan"] = list(self.user_task.ground_truth(env))
        if self.injection_task is not None and not state["followed"] and self._injected(messages):
            state["followed"] = True
            attack_calls = list(self.injection_task.ground_truth(env))
            state["attacker"].update(id(c) for c in attack_calls)
            state["plan"] = attack_calls + state["plan"]
        if not state["plan"]:
            answer = ChatAssistantMessage(
                role="assistant",
                content=[text_content_block_from_string(self.user_task.GROUND_TRUTH_OUTPUT)],
                tool_calls=None,
            )
            return query, runtime, env, [*messages, answer], extra_args
        call: FunctionCall = state["plan"].pop(0)
        extra_args["attacker_call"] = id(call) in state["attacker"]
        message = ChatAssistantMessage(
            role="assistant", content=[text_content_block_from_string("")], tool_calls=[call]
        )
        return query, runtime, env, [*messages, message], extra_args

    def _injected(self, messages: Sequence[ChatMessage]) -> bool:
        # Tool outputs are YAML: the injected goal may come back re-wrapped, quoted or escaped.
        goal = _squeeze(self.injection_task.GOAL) if self.injection_task else ""
        return bool(goal) and any(
            m["role"] == "tool" and goal in _squeeze(get_text_content_as_str(m["content"] or []))
            for m in messages
        )


def _squeeze(text: str) -> str:
    return "".join(ch for ch in text.replace("\\n", " ") if ch.isalnum())


class GuardElement(BasePipelineElement):
    """homebody's guard between the model and AgentDojo's tool executor."""

    def __init__(self, policy: Policy, *, confirm_runs: bool, tally: Tally) -> None:
        self.policy = policy
        self.confirm_runs = confirm_runs
        self.tally = tally

    def query(
        self,
        query: str,
        runtime: FunctionsRuntime,
        env: Env = EmptyEnv(),  # noqa: B008 - AgentDojo's signature
        messages: Sequence[ChatMessage] = (),
        extra_args: dict[str, Any] = {},  # noqa: B006 - AgentDojo's signature
    ) -> tuple[str, FunctionsRuntime, Env, Sequence[ChatMessage], dict[str, Any]]:
        """Judge each proposed call; answer refused ones with the guard's reasons instead of running them."""
        last = messages[-1] if messages else None
        if last is None or last["role"] != "assistant" or not last["tool_calls"]:
            return query, runtime, env, messages, extra_args
        context = [
            {
                "tool": m["tool_call"].function,
                "args": dict(m["tool_call"].args),
                "output": get_text_content_as_str(m["content"] or []) if not m.get("error") else "",
            }
            for m in messages
            if m["role"] == "tool"
        ]
        allowed, refused = [], []
        for call in last["tool_calls"]:
            record = {"id": "live", "user_instruction": query, "context": context}
            record["action"] = {"tool": call.function, "args": dict(call.args)}
            start = time.perf_counter()
            verdict = assess_record(parse_record(record), self.policy)
            self.tally.times.append(time.perf_counter() - start)
            decision = verdict.decision.value
            (self.tally.attacker if extra_args.get("attacker_call") else self.tally.user)[decision] += 1
            if self.tally.show and extra_args.get("attacker_call") and decision == "allow":
                print(f"    attacker's call allowed: {call.function}({dict(call.args)}) for {query[:80]!r}")
            if self.tally.show and not extra_args.get("attacker_call") and decision == "block":
                print(
                    f"    user's call blocked: {call.function}({dict(call.args)}) for {query[:80]!r}: "
                    f"{verdict.reasons}"
                )
            if decision == "allow" or (decision == "confirm" and self.confirm_runs):
                allowed.append(call)
            else:
                refused.append((call, verdict))
        if not refused:
            return query, runtime, env, messages, extra_args
        kept = ChatAssistantMessage(role="assistant", content=last["content"], tool_calls=allowed or None)
        answers = [
            ChatToolResultMessage(
                role="tool",
                content=[text_content_block_from_string("")],
                tool_call_id=call.id,
                tool_call=call,
                error=f"The guard stopped this call ({verdict.decision.value}): " + " ".join(verdict.reasons),
            )
            for call, verdict in refused
        ]
        if allowed:
            # The allowed calls still run: they stay on the last assistant message for ToolsExecutor.
            return query, runtime, env, [*messages[:-1], *answers, kept], extra_args
        return query, runtime, env, [*messages[:-1], kept, *answers], extra_args


def pipeline(agent: ScriptedAgent, guard: GuardElement | None) -> AgentPipeline:
    """System message, the user's prompt, then the scripted agent and tools in a loop (guard first)."""
    loop = [*([guard] if guard else []), ToolsExecutor(), agent]
    built = AgentPipeline(
        [SystemMessage("You are a helpful assistant."), InitQuery(), agent, ToolsExecutionLoop(loop, 60)]
    )
    built.name = PIPELINE_NAME
    return built


@dataclass
class Score:
    """Utility and attack success over the runs of one configuration."""

    runs: int = 0
    utility: int = 0
    attacked: int = 0

    def line(self) -> str:
        """Percentages of the runs."""
        if not self.runs:
            return "-"
        utility, attacked = 100 * self.utility / self.runs, 100 * self.attacked / self.runs
        return f"utility {utility:5.1f}%  attack success {attacked:5.1f}%"


def run_suite(name: str, attack_name: str, policy: Policy, *, show: bool = False) -> None:
    """Run every user task of one suite with and without every injection task, three ways."""
    suite = get_suites("v1.2.2")[name]
    modes: dict[str, tuple[GuardElement | None, Tally]] = {}
    for mode, confirm_runs in (("none", None), ("guard, confirm=yes", True), ("guard, confirm=no", False)):
        tally = Tally(show=show and confirm_runs is False)
        guard = None if confirm_runs is None else GuardElement(policy, confirm_runs=confirm_runs, tally=tally)
        modes[mode] = (guard, tally)
    attack = load_attack(
        attack_name, suite, pipeline(ScriptedAgent(next(iter(suite.user_tasks.values())), None), None)
    )
    scores = {mode: Score() for mode in modes}
    clean = {mode: Score() for mode in modes}
    for user_task in suite.user_tasks.values():
        for mode, (guard, _) in modes.items():
            utility, _ = suite.run_task_with_pipeline(
                pipeline(ScriptedAgent(user_task, None), guard), user_task, None, {}
            )
            clean[mode].runs += 1
            clean[mode].utility += int(utility)
        for injection_task in suite.injection_tasks.values():
            injections = attack.attack(user_task, injection_task)
            for mode, (guard, _) in modes.items():
                agent = ScriptedAgent(user_task, injection_task)
                utility, attacked = suite.run_task_with_pipeline(
                    pipeline(agent, guard), user_task, injection_task, injections
                )
                scores[mode].runs += 1
                scores[mode].utility += int(utility)
                scores[mode].attacked += int(attacked)
    print(
        f"\n== {name} ({len(suite.user_tasks)} user tasks x {len(suite.injection_tasks)} injection tasks, "
        f"{attack_name})"
    )
    for mode in modes:
        print(
            f"  {mode:20} under attack: {scores[mode].line()}   "
            f"no attack: utility {100 * clean[mode].utility / max(clean[mode].runs, 1):5.1f}%"
        )
    for mode, (guard, tally) in modes.items():
        if guard is None:
            continue
        times = sorted(tally.times)
        p50 = 1000 * times[len(times) // 2] if times else 0.0
        p95 = 1000 * times[min(len(times) - 1, int(0.95 * len(times)))] if times else 0.0
        print(
            f"  verdicts ({mode}): user's calls {dict(tally.user)}  attacker's calls {dict(tally.attacker)}  "
            f"p50 {p50:.2f} ms  p95 {p95:.2f} ms"
        )


def main() -> None:
    """Run the suites asked for and print their scores."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default="workspace,travel,banking,slack")
    parser.add_argument("--attack", default="important_instructions")
    parser.add_argument(
        "--show", action="store_true", help="print attacker calls allowed, user calls blocked"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    for name in args.suites.split(","):
        run_suite(name, args.attack, Policy(), show=args.show)


if __name__ == "__main__":
    main()
