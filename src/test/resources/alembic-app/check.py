"""`alembic check` for Alembic 1.8 (Debian 12's python3-alembic): the command arrived in Alembic 1.9. With 1.9 or
later this runs alembic.command.check itself; before, the same steps as 1.9's command.check: an autogenerate
through env.py (its include_name / include_object hooks, compare_type) against the database at head, that writes
no file and fails when it finds any difference between the models and the database.

    python3 check.py alembic.ini        exit 0: "No new upgrade operations detected."; exit 1: the differences
"""
import sys

from alembic import autogenerate, command, util
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory


def check(config):
    if hasattr(command, "check"):
        command.check(config)
        return
    script_directory = ScriptDirectory.from_config(config)
    command_args = dict(message=None, autogenerate=True, sql=False, head="head", splice=False, branch_label=None,
                        version_path=None, rev_id=None, depends_on=None)
    revision_context = autogenerate.RevisionContext(config, script_directory, command_args)

    def retrieve_migrations(rev, context):
        revision_context.run_autogenerate(rev, context)  # "Target database is not up to date." unless at head
        return []

    with EnvironmentContext(config, script_directory, fn=retrieve_migrations, as_sql=False,
                            template_args=revision_context.template_args, revision_context=revision_context):
        script_directory.run_env()
    diffs = revision_context.generated_revisions[-1].upgrade_ops.as_diffs()
    if diffs:
        raise util.CommandError("New upgrade operations detected: %s" % (diffs,))
    config.print_stdout("No new upgrade operations detected.")


if __name__ == "__main__":
    try:
        check(Config(sys.argv[1]))
    except util.CommandError as e:
        print("FAILED: %s" % e, file=sys.stderr)
        sys.exit(1)
