"""Each work item carries its SLA summary (serval.sla.engine.sync_item): the next running
deadline and whether an active clock is flagged (breached, or running past 75 %).

"At risk, next breach first" over everything an agent sees asked, per open item, whether a
clock was at risk and which deadline came next: two subqueries for each of ~150,000 open rows at
a million items (~2 s). With the summary stored, the same list reads an index in order. Existing
clocks are summarised here once, in SQL on both engines. Both columns are nullable so they are
added in place: on SQLite a NOT NULL column makes Django rebuild the table, which takes long on
a big table and drops the full-text triggers of `work` migration 0002.
"""

from django.db import migrations, models

BACKFILL = """
UPDATE work_workitem SET
  sla_next_breach_at = (
    SELECT MIN(c.breach_at) FROM sla_slaclock c
    WHERE c.work_item_id = work_workitem.id AND c.stage = 'in_progress'),
  sla_flagged = EXISTS (
    SELECT 1 FROM sla_slaclock c
    WHERE c.work_item_id = work_workitem.id AND (
      (c.stage IN ('in_progress', 'paused') AND c.has_breached)
      OR (c.stage = 'in_progress' AND c.warned_level >= 75)))
WHERE EXISTS (
  SELECT 1 FROM sla_slaclock c
  WHERE c.work_item_id = work_workitem.id AND c.stage IN ('in_progress', 'paused'))
"""


class Migration(migrations.Migration):
    dependencies = [
        ("work", "0006_group_open_prio_index"),
        ("sla", "0004_clock_item_breach_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="workitem",
            name="sla_flagged",
            field=models.BooleanField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="workitem",
            name="sla_next_breach_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="workitem",
            index=models.Index(
                condition=models.Q(("state__in", ("new", "in_progress", "on_hold"))),
                fields=["tenant", "kind", "sla_next_breach_at"],
                name="work_open_next_breach",
            ),
        ),
    ]
