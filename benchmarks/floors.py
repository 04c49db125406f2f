"""The floors of `make bench`: the same rows each endpoint answers with, fetched
by one raw SQL query through the driver and serialised with json.dumps, or
copied with COPY ... TO STDOUT for the CSV export (PostgreSQL's SQL)."""

from __future__ import annotations

import datetime
import io
import json

from django.conf import settings
from django.db import connection

from actionplans.querysets import end_of_day

VISIBLE = """
    p.visibility = 'signed_in'
    OR p.id IN (SELECT actionplan_id FROM actionplans_actionplan_coordinators
                WHERE user_id = %(user)s)
    OR p.id IN (SELECT plan_id FROM actionplans_workinggroup WHERE team_leader_id = %(person)s)
    OR p.id IN (SELECT g2.plan_id FROM actionplans_workinggroup g2
                JOIN actionplans_workinggroup_team_members m ON m.workinggroup_id = g2.id
                WHERE m.person_id = %(person)s)
    OR p.id IN (SELECT g3.plan_id FROM actionplans_focalpoint f3
                JOIN actionplans_actionpoint a3 ON a3.id = f3.action_point_id
                JOIN actionplans_challenge c3 ON c3.id = a3.challenge_id
                JOIN actionplans_workinggroup g3 ON g3.id = c3.working_group_id
                WHERE f3.person_id = %(person)s)
"""
POINTS = """
    FROM actionplans_actionpoint ap
    JOIN actionplans_challenge c ON c.id = ap.challenge_id
    JOIN actionplans_workinggroup g ON g.id = c.working_group_id
    JOIN actionplans_actionplan p ON p.id = g.plan_id
"""
FOCAL_JSON = """
    (SELECT json_agg(json_build_object('person', fp.person_id, 'name', pe.name,
        'organization', coalesce(nullif(o.acronym, ''), o.name), 'role', fp.role, 'note', fp.note)
        ORDER BY fp.id)
     FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
     LEFT JOIN orgs_organization o ON o.id = pe.organization_id
     WHERE fp.action_point_id = ap.id) AS focal_points
"""
POINT_COLUMNS = f"""
    ap.id, g.plan_id, c.working_group_id, ap.challenge_id, ap.position, ap.description,
    ap.deadline, ap.due_date, ap.deadline_precision, ap.status, ap.progress, ap.version,
    ap.created, ap.updated, {FOCAL_JSON}
"""
WORKSHOP_ORDER = "g.plan_id, g.number, c.number, ap.position, ap.id"
OPEN = "ap.status IN ('not_started', 'in_progress', 'blocked')"


def raw_json(sql: str, params: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c[0] for c in cursor.description]
        json.dumps([dict(zip(columns, row, strict=True)) for row in cursor.fetchall()], default=str)


def floor_csv(params: dict, *, everything: bool = False) -> None:
    """The export's cells: plan, group, its leader and members, challenge, the
    action point, and its focal points (name, role, organization, note) in the
    export's order (role, then entry)."""
    sql = f"""
        SELECT p.title, g.number, g.name, leader.name, m.names, c.number, c.description,
               ap.description, ap.deadline, ap.due_date, ap.status, ap.progress, f.people
        {POINTS}
        LEFT JOIN orgs_person leader ON leader.id = g.team_leader_id
        LEFT JOIN (SELECT tm.workinggroup_id, string_agg(pe.name, ', ' ORDER BY tm.id) AS names
                   FROM actionplans_workinggroup_team_members tm
                   JOIN orgs_person pe ON pe.id = tm.person_id
                   GROUP BY tm.workinggroup_id) m ON m.workinggroup_id = g.id
        LEFT JOIN (SELECT fp.action_point_id,
                          string_agg(pe.name || ' (' || fp.role || coalesce(', '
                                     || coalesce(nullif(o.acronym, ''), o.name), '')
                                     || ') ' || fp.note, ', '
                                     ORDER BY CASE fp.role WHEN 'lead' THEN 0
                                              WHEN 'support' THEN 1 ELSE 2 END, fp.id) AS people
                   FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
                   LEFT JOIN orgs_organization o ON o.id = pe.organization_id
                   GROUP BY fp.action_point_id) f ON f.action_point_id = ap.id
        WHERE {"TRUE" if everything else VISIBLE}
        ORDER BY {WORKSHOP_ORDER}
    """
    with connection.cursor() as cursor:
        query = cursor.cursor.mogrify(sql, params).decode()
        cursor.cursor.copy_expert(f"COPY ({query}) TO STDOUT WITH CSV", io.StringIO())


# Every field the API's action point has (ActionPointSerializer): its focal points in
# the API's order, its PIM tags, what its latest progress updates say, who completed
# and verified it, whether it is overdue, and its URL.
LATEST = """(SELECT {column} FROM actionplans_progressupdate u
    LEFT JOIN auth_user au ON au.id = u.author_id
    LEFT JOIN orgs_person rp ON rp.id = u.reported_by_id
    WHERE u.action_point_id = ap.id {condition} ORDER BY u.created DESC, u.id DESC LIMIT 1)"""
AUTHOR = """coalesce(nullif(trim(au.first_name || ' ' || au.last_name), ''), au.username,
    rp.name)"""
API_POINT_COLUMNS = f"""
    ap.id, 'http://testserver/api/v1/action-points/' || ap.id || '/' AS url, g.plan_id,
    c.working_group_id, ap.challenge_id, ap.position, ap.description, ap.deadline,
    ap.due_date, ap.deadline_precision, ap.status, ap.progress,
    ({OPEN} AND ap.due_date < %(today)s) AS is_overdue, ap.priority,
    (SELECT json_agg(t.slug ORDER BY t.slug) FROM actionplans_pimtag t
     WHERE t.action_point_id = ap.id AND t.kind = 'category') AS pim_categories,
    (SELECT json_agg(t.slug ORDER BY t.slug) FROM actionplans_pimtag t
     WHERE t.action_point_id = ap.id AND t.kind = 'principle') AS pim_principles,
    nullif(ap.pim_process_step, '') AS pim_process_step,
    (SELECT json_agg(json_build_object('person', fp.person_id, 'name', pe.name,
        'organization', coalesce(nullif(o.acronym, ''), o.name), 'role', fp.role, 'note', fp.note)
        ORDER BY CASE fp.role WHEN 'lead' THEN 0 WHEN 'support' THEN 1 ELSE 2 END, fp.id)
     FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
     LEFT JOIN orgs_organization o ON o.id = pe.organization_id
     WHERE fp.action_point_id = ap.id) AS focal_points,
    {LATEST.format(column="u.note", condition="AND u.note <> ''")} AS latest_note,
    {LATEST.format(column="u.evidence_url", condition="AND u.evidence_url <> ''")}
        AS latest_evidence_url,
    {LATEST.format(column="u.created", condition="")} AS last_update_at,
    {LATEST.format(column=AUTHOR, condition="")} AS last_update_by,
    cb.username AS completed_by, ap.completed_at, vb.username AS verified_by, ap.verified_at,
    ap.version, ap.created, ap.updated
"""
API_POINTS = f"""{POINTS}
    LEFT JOIN auth_user cb ON cb.id = ap.completed_by_id
    LEFT JOIN auth_user vb ON vb.id = ap.verified_by_id
"""


def api_list(where: str, params: dict) -> None:
    """An API list's page of 100 action points, with every field the API gives."""
    raw_json(
        f"SELECT {API_POINT_COLUMNS} {API_POINTS} WHERE ({VISIBLE}) AND {where} "
        f"ORDER BY {WORKSHOP_ORDER} LIMIT 100",
        params,
    )


def api_list_counted(where: str, params: dict) -> None:
    """The list's whole answer: the page and the count of all matches it carries."""
    raw_json(
        f"SELECT (SELECT count(*) {POINTS} WHERE ({VISIBLE}) AND {where}) AS count, "
        f"page.* FROM (SELECT {API_POINT_COLUMNS} {API_POINTS} WHERE ({VISIBLE}) AND {where} "
        f"ORDER BY {WORKSHOP_ORDER} LIMIT 100) page",
        params,
    )


# The search's words (%(q)s: actionplans.search.raw_words) in each place it reads,
# through the same GIN indexes (actionplans.search).
WORDS = "@@ to_tsquery('simple', %(q)s)"
TEXT_MATCH = f"""ap.id IN (
    SELECT id FROM actionplans_actionpoint
    WHERE to_tsvector('simple', coalesce(description, '')) {WORDS}
    UNION SELECT id FROM actionplans_actionpoint
    WHERE to_tsvector('simple', coalesce(deadline, '')) {WORDS}
    UNION SELECT a.id FROM actionplans_actionpoint a WHERE a.challenge_id IN (
        SELECT id FROM actionplans_challenge
        WHERE to_tsvector('simple', coalesce(description, '')) {WORDS})
    UNION SELECT fp.action_point_id FROM actionplans_focalpoint fp WHERE fp.person_id IN (
        SELECT id FROM orgs_person WHERE to_tsvector('simple', coalesce(name, '')) {WORDS}))"""
OVERDUE = f"{OPEN} AND ap.due_date < %(today)s"


def plan_page(plan_id: int) -> None:
    raw_json(
        f"SELECT {POINT_COLUMNS} {POINTS} WHERE p.id = %(plan)s ORDER BY {WORKSHOP_ORDER}",
        {"plan": plan_id},
    )


def plan_list(params: dict) -> None:
    raw_json(
        f"""SELECT p.id, p.title, p.country, p.status,
            count(*) FILTER (WHERE {OPEN}) AS open,
            count(*) FILTER (WHERE {OPEN} AND ap.due_date < %(today)s) AS overdue,
            count(*) FILTER (WHERE ap.status = 'completed') AS completed,
            max(ap.updated) AS last_update
        FROM (SELECT * FROM actionplans_actionplan p WHERE {VISIBLE}
              ORDER BY title, id LIMIT 25) p
        LEFT JOIN actionplans_workinggroup g ON g.plan_id = p.id
        LEFT JOIN actionplans_challenge c ON c.working_group_id = g.id
        LEFT JOIN actionplans_actionpoint ap ON ap.challenge_id = c.id
        GROUP BY p.id, p.title, p.country, p.status ORDER BY p.title, p.id""",
        params,
    )


PLAN_POINTS = """
    SELECT ap.id, ap.description, ap.deadline, ap.due_date, ap.status, ap.updated,
           ap.priority, ap.completed_at, ap.verified_at, g.id AS group_id,
           g.number AS group_number, c.number AS challenge_number,
           ap.status IN ('not_started', 'in_progress', 'blocked') AS is_open,
           coalesce(ap.status IN ('not_started', 'in_progress', 'blocked')
                    AND ap.due_date < %(today)s, false) AS is_overdue,
           coalesce(ap.status IN ('not_started', 'in_progress', 'blocked')
                    AND ap.due_date BETWEEN %(today)s AND %(soon)s, false) AS is_due_soon,
           ap.status IN ('not_started', 'in_progress', 'blocked')
               AND ap.updated <= %(stale)s AS is_stale
    FROM actionplans_actionpoint ap
    JOIN actionplans_challenge c ON c.id = ap.challenge_id
    JOIN actionplans_workinggroup g ON g.id = c.working_group_id
    WHERE g.plan_id = %(plan)s
"""
FIGURES = """count(*) AS total, count(*) FILTER (WHERE is_open) AS open,
    count(*) FILTER (WHERE is_overdue) AS overdue, count(*) FILTER (WHERE is_due_soon) AS due_soon,
    count(*) FILTER (WHERE status = 'completed') AS completed"""


def _attention_list(where: str, order: str) -> str:
    return f"""(SELECT json_agg(l) FROM (
        SELECT pts.id, pts.description, pts.deadline, pts.due_date, pts.status, pts.priority,
               pts.updated, pts.group_number, pts.challenge_number,
               (SELECT json_agg(json_build_object('name', pe.name, 'role', f.role)
                                ORDER BY f.role <> 'lead', f.role, pe.name)
                FROM actionplans_focalpoint f JOIN orgs_person pe ON pe.id = f.person_id
                WHERE f.action_point_id = pts.id) AS focal
        FROM pts WHERE {where} ORDER BY {order} LIMIT 10) l)"""


def _workload(key: str, name: str, where: str = "TRUE") -> str:
    return f"""(SELECT json_agg(w ORDER BY w.overdue DESC, w.open DESC, lower(w.name)) FROM (
        SELECT {key} AS key, {name} AS name,
               count(DISTINCT pts.id) FILTER (WHERE is_open) AS open,
               count(DISTINCT pts.id) FILTER (WHERE is_overdue) AS overdue,
               count(DISTINCT pts.id) FILTER (WHERE is_due_soon) AS due_soon,
               count(DISTINCT pts.id) FILTER (WHERE status = 'completed') AS completed
        FROM fp JOIN pts ON pts.id = fp.action_point_id WHERE {where}
        GROUP BY 1, 2) w)"""


def plan_dashboard(plan_id: int, today) -> None:
    """Every figure the plan dashboard shows, now, to a member who does not coordinate
    the plan, in one query: the headline (action points by status, overdue, due soon,
    stale, rescheduled, completed, verified and awaiting verification), each working
    group's status counts and overdue (groups without action points too), the workload
    per focal point as lead, per focal point in any role and per organization (open,
    overdue, due soon, completed; an action point once per organization), due and done
    per quarter, the slippage (moves and days per rescheduled action point), the four
    lists of what needs someone now (overdue, due soon, stale, blocked: ten each, in
    the page's order, with their focal points and group.challenge numbers, and how
    many each holds), and the PIM breakdown (per category and principle, and the
    action points with none of a kind: total, open, overdue, completed). Rows as JSON,
    serialised with json.dumps like every floor."""
    soon = today + datetime.timedelta(days=settings.DUE_SOON_DAYS)
    stale = end_of_day(today - datetime.timedelta(days=settings.STALE_DAYS))
    sql = f"""
    WITH pts AS MATERIALIZED ({PLAN_POINTS}),
    fp AS MATERIALIZED (
        SELECT f.action_point_id, f.role, f.person_id, pe.name, pe.organization_id, o.name AS org
        FROM actionplans_focalpoint f JOIN pts ON pts.id = f.action_point_id
        JOIN orgs_person pe ON pe.id = f.person_id
        LEFT JOIN orgs_organization o ON o.id = pe.organization_id)
    SELECT
      (SELECT json_object_agg(status, n) FROM (SELECT status, count(*) AS n FROM pts
                                                GROUP BY status) s) AS by_status,
      (SELECT json_build_object('total', count(*), 'overdue', count(*) FILTER (WHERE is_overdue),
              'due_soon', count(*) FILTER (WHERE is_due_soon),
              'stale', count(*) FILTER (WHERE is_stale),
              'blocked', count(*) FILTER (WHERE is_open AND status = 'blocked'),
              'completed', count(*) FILTER (WHERE status = 'completed'),
              'cancelled', count(*) FILTER (WHERE status = 'cancelled'),
              'verified', count(*) FILTER (WHERE status = 'completed' AND verified_at IS NOT NULL),
              'awaiting', count(*) FILTER (WHERE status = 'completed' AND verified_at IS NULL
                                           AND completed_at IS NOT NULL),
              'rescheduled', (SELECT count(DISTINCT d.action_point_id)
                              FROM actionplans_deadlinechange d
                              JOIN pts p2 ON p2.id = d.action_point_id))
       FROM pts) AS headline,
      (SELECT json_agg(json_build_object('id', g.id, 'number', g.number, 'name', g.name,
                                         'by_status', s.by_status, 'overdue', s.overdue)
                       ORDER BY g.number)
       FROM actionplans_workinggroup g LEFT JOIN LATERAL (
           SELECT json_object_agg(status, n) AS by_status, sum(o) AS overdue
           FROM (SELECT status, count(*) AS n, count(*) FILTER (WHERE is_overdue) AS o
                 FROM pts WHERE pts.group_id = g.id GROUP BY status) x) s ON TRUE
       WHERE g.plan_id = %(plan)s) AS groups,
      {_workload("fp.person_id", "fp.name", "fp.role = 'lead'")} AS leads,
      {_workload("fp.person_id", "fp.name")} AS everyone,
      {_workload("fp.organization_id", "coalesce(fp.org, '')")} AS organizations,
      (SELECT json_agg(q ORDER BY q.start) FROM (
           SELECT date_trunc('quarter', due_date)::date AS start,
                  count(*) AS due, count(*) FILTER (WHERE status = 'completed') AS done
           FROM pts WHERE due_date IS NOT NULL AND status <> 'cancelled' GROUP BY 1) q) AS quarters,
      (SELECT json_agg(s ORDER BY s.days DESC, s.changes DESC, s.id) FROM (
           SELECT pts.id, pts.description, count(*) AS changes,
                  coalesce(sum(d.new_due_date - d.old_due_date), 0) AS days
           FROM actionplans_deadlinechange d JOIN pts ON pts.id = d.action_point_id
           GROUP BY pts.id, pts.description) s) AS slippage,
      {_attention_list("is_overdue", "priority <> 'high', due_date, id")} AS overdue,
      {_attention_list("is_due_soon", "due_date, id")} AS due_soon,
      {_attention_list("is_stale", "updated, id")} AS stale,
      {_attention_list("is_open AND status = 'blocked'", "due_date NULLS LAST, id")} AS blocked,
      (SELECT json_agg(t) FROM (
           SELECT t.kind, t.slug, {FIGURES}
           FROM actionplans_pimtag t JOIN pts ON pts.id = t.action_point_id
           GROUP BY t.kind, t.slug) t) AS pim,
      (SELECT json_agg(u) FROM (
           SELECT k.kind, {FIGURES}
           FROM (VALUES ('category'), ('principle')) k(kind) JOIN pts ON NOT EXISTS (
               SELECT FROM actionplans_pimtag t WHERE t.action_point_id = pts.id
               AND t.kind = k.kind) GROUP BY k.kind) u) AS pim_untagged
    """
    raw_json(sql, {"plan": plan_id, "today": today, "soon": soon, "stale": stale})


def portfolio(params: dict) -> None:
    """Every figure the portfolio shows its first page with, in one query: how many plans
    the user sees; the first 25 by title, each with its action points by status, overdue,
    due soon and last activity; the totals of all visible plans (by status, overdue, due
    soon); and over the plans of the page: what is late (how many, and the first 20, high
    priority first, then the oldest due date, with plan, group.challenge and focal
    points), completed, verified and awaiting verification (and the 20 oldest awaiting
    in the plans the user coordinates), the PIM breakdown (per category and principle,
    and the points with none of a kind) and the workload per person and per
    organization (open, overdue, due soon, completed; the 50 most overdue of each)."""
    soon = params["today"] + datetime.timedelta(days=settings.DUE_SOON_DAYS)
    shown_points = f"""SELECT ap.*, g.plan_id, g.number AS group_number,
            c.number AS challenge_number,
            {OPEN} AS is_open, coalesce({OPEN} AND ap.due_date < %(today)s, false) AS is_overdue,
            coalesce({OPEN} AND ap.due_date BETWEEN %(today)s AND %(soon)s, false) AS is_due_soon
        FROM actionplans_actionpoint ap
        JOIN actionplans_challenge c ON c.id = ap.challenge_id
        JOIN actionplans_workinggroup g ON g.id = c.working_group_id
        WHERE g.plan_id IN (SELECT id FROM shown)"""
    workload = """(SELECT json_agg(w) FROM (
        SELECT {key} AS key, {name} AS name,
               count(DISTINCT pts.id) FILTER (WHERE is_open) AS open,
               count(DISTINCT pts.id) FILTER (WHERE is_overdue) AS overdue,
               count(DISTINCT pts.id) FILTER (WHERE is_due_soon) AS due_soon,
               count(DISTINCT pts.id) FILTER (WHERE status = 'completed') AS completed,
               count(*) OVER () AS how_many
        FROM actionplans_focalpoint f JOIN pts ON pts.id = f.action_point_id
        JOIN orgs_person pe ON pe.id = f.person_id
        LEFT JOIN orgs_organization o ON o.id = pe.organization_id
        GROUP BY 1, 2 ORDER BY overdue DESC, open DESC, lower({name}) LIMIT 50) w)"""
    figures = """count(*) AS total, count(*) FILTER (WHERE is_open) AS open,
        count(*) FILTER (WHERE is_overdue) AS overdue,
        count(*) FILTER (WHERE status = 'completed') AS completed"""
    sql = f"""
    WITH visible AS MATERIALIZED (SELECT p.id, p.title, p.country, p.status, p.updated
                                  FROM actionplans_actionplan p WHERE {VISIBLE}),
    shown AS MATERIALIZED (SELECT * FROM visible ORDER BY lower(title), id LIMIT 25),
    pts AS MATERIALIZED ({shown_points})
    SELECT
      (SELECT count(*) FROM visible) AS plans,
      (SELECT json_agg(r ORDER BY lower(r.title), r.id) FROM (
          SELECT s.id, s.title, s.country, s.status, x.by_status, coalesce(x.overdue, 0),
                 coalesce(x.due_soon, 0), greatest(s.updated, x.last) AS last_activity
          FROM shown s LEFT JOIN (
              SELECT plan_id, json_object_agg(status, n) AS by_status, sum(o) AS overdue,
                     sum(d) AS due_soon, max(last) AS last
              FROM (SELECT plan_id, status, count(*) AS n,
                           count(*) FILTER (WHERE is_overdue) AS o,
                           count(*) FILTER (WHERE is_due_soon) AS d, max(updated) AS last
                    FROM pts GROUP BY plan_id, status) y
              GROUP BY plan_id) x ON x.plan_id = s.id) r) AS rows,
      (SELECT json_build_object('by_status', json_object_agg(status, n), 'overdue', sum(o),
                                'due_soon', sum(d)) FROM (
          SELECT ap.status, count(*) AS n,
                 count(*) FILTER (WHERE {OPEN} AND ap.due_date < %(today)s) AS o,
                 count(*) FILTER (WHERE {OPEN} AND ap.due_date BETWEEN %(today)s AND %(soon)s)
                     AS d
          {POINTS} WHERE p.id IN (SELECT id FROM visible) GROUP BY ap.status) t) AS totals,
      (SELECT count(*) FROM pts WHERE is_overdue) AS late_count,
      (SELECT json_agg(l) FROM (
          SELECT pts.id, pts.description, pts.due_date, pts.priority, pts.group_number,
                 pts.challenge_number, s.title,
                 (SELECT json_agg(json_build_object('name', pe.name, 'role', f.role) ORDER BY f.id)
                  FROM actionplans_focalpoint f JOIN orgs_person pe ON pe.id = f.person_id
                  WHERE f.action_point_id = pts.id) AS focal
          FROM pts JOIN shown s ON s.id = pts.plan_id WHERE is_overdue
          ORDER BY pts.priority <> 'high', pts.due_date, pts.plan_id, pts.group_number,
                   pts.challenge_number, pts.position LIMIT 20) l) AS late,
      (SELECT json_build_object('completed', count(*) FILTER (WHERE status = 'completed'),
              'verified', count(*) FILTER (WHERE status = 'completed' AND verified_at IS NOT NULL),
              'awaiting', count(*) FILTER (WHERE status = 'completed' AND verified_at IS NULL
                                           AND completed_at IS NOT NULL)) FROM pts) AS verification,
      (SELECT json_agg(a) FROM (
          SELECT pts.id, pts.description, pts.completed_at, s.title, u.username, pe.name
          FROM pts JOIN shown s ON s.id = pts.plan_id
          LEFT JOIN auth_user u ON u.id = pts.completed_by_id
          LEFT JOIN orgs_person pe ON pe.user_id = u.id
          WHERE pts.status = 'completed' AND pts.verified_at IS NULL
            AND pts.completed_at IS NOT NULL AND pts.plan_id IN (
                SELECT actionplan_id FROM actionplans_actionplan_coordinators
                WHERE user_id = %(user)s)
          ORDER BY pts.completed_at, pts.id LIMIT 20) a) AS awaiting,
      (SELECT json_agg(t) FROM (
          SELECT t.kind, t.slug, {figures}
          FROM actionplans_pimtag t JOIN pts ON pts.id = t.action_point_id
          GROUP BY t.kind, t.slug) t) AS pim,
      (SELECT json_agg(u) FROM (
          SELECT k.kind, {figures}
          FROM (VALUES ('category'), ('principle')) k(kind) JOIN pts ON NOT EXISTS (
              SELECT FROM actionplans_pimtag t WHERE t.action_point_id = pts.id
              AND t.kind = k.kind) GROUP BY k.kind) u) AS pim_untagged,
      {workload.format(key="f.person_id", name="pe.name")} AS people,
      {workload.format(key="pe.organization_id", name="coalesce(o.name, '')")} AS organizations
    """
    raw_json(sql, {**params, "soon": soon})


def api_detail(point_id: int) -> None:
    raw_json(f"SELECT {POINT_COLUMNS} {POINTS} WHERE ap.id = %(id)s", {"id": point_id})


def my_action_points(params: dict) -> None:
    raw_json(
        f"SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND (ap.id IN "
        "(SELECT action_point_id FROM actionplans_focalpoint WHERE person_id = %(person)s)"
        " OR c.working_group_id IN (SELECT workinggroup_id FROM "
        "actionplans_workinggroup_team_members WHERE person_id = %(person)s)) "
        f"ORDER BY ap.due_date LIMIT 50",
        params,
    )


SYNC_PAGE = 500  # a partner's page: the largest limit


def sync_page(params: dict) -> None:
    """A sync page: the rows changed since a moment, after the cursor's (updated, id)."""
    raw_json(
        f"SELECT {POINT_COLUMNS} {POINTS} WHERE ap.updated >= %(since)s "
        "AND (ap.updated, ap.id) > (%(stamp)s, %(id)s) "
        f"ORDER BY ap.updated, ap.id LIMIT {SYNC_PAGE}",
        params,
    )


def offset_page(offset: int) -> None:
    """A limit/offset page of every action point, as deep as the sync's last page."""
    raw_json(
        f"SELECT {POINT_COLUMNS} {POINTS} ORDER BY {WORKSHOP_ORDER} "
        f"LIMIT {SYNC_PAGE} OFFSET %(offset)s",
        {"offset": offset},
    )


def floor_import(data: bytes) -> None:
    """The import's floor: COPY of the same CSV rows (every cell as text) into a
    temporary table, which is dropped."""
    width = data.split(b"\n", 1)[0].count(b",") + 1  # the header's cells (plain names)
    columns = ", ".join(f"c{i} text" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE import_floor ({columns})")
        try:
            cursor.cursor.copy_expert(
                "COPY import_floor FROM STDIN WITH (FORMAT csv, HEADER true)", io.BytesIO(data)
            )
        finally:
            cursor.execute("DROP TABLE import_floor")
