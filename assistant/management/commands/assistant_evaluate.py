"""manage.py assistant_evaluate: ask the evaluation set over the demo org and print the score."""

from django.core.management.base import BaseCommand, CommandError

from assistant.services.evaluation import EvaluationSetError, evaluation_questions_load, evaluation_run


class Command(BaseCommand):
    help = "Run the assistant's evaluation set (assistant/evaluation/questions.toml) over the demo org."

    def add_arguments(self, parser):
        parser.add_argument("--only", default="", help="Run only the questions whose id contains this.")
        parser.add_argument("--show", action="store_true", help="Print every answer, not only failures.")
        parser.add_argument(
            "--min-score", type=float, default=0.0, help="Exit with an error below this share (0-1)."
        )

    def handle(self, *args, **options):
        try:
            questions = [q for q in evaluation_questions_load() if options["only"] in q.id]
        except EvaluationSetError as error:
            raise CommandError(str(error)) from error
        if not questions:
            raise CommandError(f"No question id contains {options['only']!r}.")
        report = evaluation_run(questions=questions)
        model = sum(r.used_llm for r in report.results)
        self.stdout.write(
            f"{len(report.results)} questions; answered by the language model: {model}"
            if model
            else f"{len(report.results)} questions, answered offline (no ASSISTANT_LLM_BASE_URL)"
        )
        for result in report.results:
            if result.passed and not options["show"]:
                continue
            status = "PASS" if result.passed else "FAIL"
            self.stdout.write(
                f"\n{status} {result.question.id} [{result.question.category}]: {result.question.question}"
            )
            for failure in result.failures:
                self.stdout.write(f"  - {failure}")
            if result.answer is not None:
                self.stdout.write("  " + result.answer.text.replace("\n", "\n  "))
        by_category: dict[str, list[bool]] = {}
        for result in report.results:
            by_category.setdefault(result.question.category, []).append(result.passed)
        self.stdout.write(
            "\nBy category: " + ", ".join(f"{c} {sum(v)}/{len(v)}" for c, v in by_category.items())
        )
        self.stdout.write(f"Score: {report.passed}/{len(report.results)} = {report.score:.0%}")
        if report.failures:
            self.stdout.write("Failing: " + ", ".join(r.question.id for r in report.failures))
        if report.score < options["min_score"]:
            raise CommandError(f"The score {report.score:.0%} is below {options['min_score']:.0%}.")
