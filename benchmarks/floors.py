"""The floors of `make bench`: the same rows each endpoint answers with, fetched
by one raw SQL query through the driver and serialised with json.dumps, or
copied with COPY ... TO STDOUT for the CSV export (PostgreSQL's SQL)."""

from __future__ import annotations

import io
import json

from django.db import connection

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


def api_list(where: str, params: dict) -> None:
    """An API list's page of 100 action points."""
    raw_json(
        f"SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND {where} "
        f"ORDER BY {WORKSHOP_ORDER} LIMIT 100",
        params,
    )


def api_list_counted(where: str, params: dict) -> None:
    """The list's whole answer: the page and the count of all matches it carries."""
    raw_json(
        f"SELECT (SELECT count(*) {POINTS} WHERE ({VISIBLE}) AND {where}) AS count, "
        f"page.* FROM (SELECT {POINT_COLUMNS} {POINTS} WHERE ({VISIBLE}) AND {where} "
        f"ORDER BY {WORKSHOP_ORDER} LIMIT 100) page",
        params,
    )


TEXT_MATCH = """(ap.description ILIKE %(q)s OR ap.deadline ILIKE %(q)s
    OR c.description ILIKE %(q)s OR ap.id IN (SELECT fp.action_point_id
    FROM actionplans_focalpoint fp JOIN orgs_person pe ON pe.id = fp.person_id
    WHERE pe.name ILIKE %(q)s))"""
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


def plan_dashboard(plan_id: int, today) -> None:
    raw_json(
        f"SELECT ap.status, count(*), count(*) FILTER (WHERE {OPEN} AND "
        f"ap.due_date < %(today)s) {POINTS} WHERE p.id = %(plan)s GROUP BY ap.status",
        {"plan": plan_id, "today": today},
    )


def portfolio(params: dict) -> None:
    raw_json(
        f"SELECT p.id, ap.status, count(*), count(*) FILTER (WHERE {OPEN} AND "
        f"ap.due_date < %(today)s) {POINTS} WHERE {VISIBLE} GROUP BY p.id, ap.status",
        params,
    )


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
