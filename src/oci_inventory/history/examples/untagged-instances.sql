-- untagged-instances: compute instances without a cost-center tag, and since when
--
-- The instances of the newest complete run of each tenancy that carry no cost-center tag: no freeform tag and no
-- defined tag (in any namespace) whose key is cost-center, costcenter, cost_center or cost center, in any case.
-- untagged_since is the start of the first complete run after the last one that saw the instance tagged (or the
-- first run that saw it at all); days_untagged counts from then to the newest run. Longest untagged first.
-- "Untagged for a month": add WHERE days_untagged >= 30 around it (see docs/query.md).
WITH seen AS (
    SELECT
        tenancy,
        ocid,
        run_started_at,
        regexp_matches(lower('|' || array_to_string(map_keys(freeformTags), '|') || '|'), '\|cost[-_ ]?cent(er|re)\|')
            OR regexp_matches(lower(CAST(definedTags AS VARCHAR)), '"cost[-_ ]?cent(er|re)":') AS tagged
    FROM resources_history
    WHERE resourceType = 'Instance'
),
last_tagged AS (
    SELECT tenancy, ocid, max(run_started_at) AS at FROM seen WHERE tagged GROUP BY tenancy, ocid
)
SELECT
    r.tenancy,
    r.displayName,
    r.compartmentPath,
    r.region,
    r.lifecycleState,
    min(s.run_started_at) AS untagged_since,
    date_diff('day', min(s.run_started_at), any_value(r.run_started_at)) AS days_untagged,
    r.ocid
FROM resources AS r
JOIN seen AS s ON s.tenancy = r.tenancy AND s.ocid = r.ocid
LEFT JOIN last_tagged AS t ON t.tenancy = r.tenancy AND t.ocid = r.ocid
WHERE r.resourceType = 'Instance' AND (t.at IS NULL OR s.run_started_at > t.at)
GROUP BY r.tenancy, r.displayName, r.compartmentPath, r.region, r.lifecycleState, r.ocid
ORDER BY days_untagged DESC, untagged_since, r.tenancy, r.compartmentPath, r.displayName, r.ocid
