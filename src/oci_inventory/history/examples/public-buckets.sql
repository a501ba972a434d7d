-- public-buckets: Object Storage buckets open to the internet, and since when
--
-- The buckets of the newest complete run of each tenancy whose publicAccessType is not NoPublicAccess
-- (ObjectRead, ObjectReadWithoutList), with public_since: the start of the first complete run after the last one
-- that saw the bucket private (or the first run that saw it at all). Newest exposure first. It needs enriched
-- runs: a run made with --no-enrich has no publicAccessType, and its buckets are left out.
WITH seen AS (
    SELECT
        tenancy,
        ocid,
        run_started_at,
        details ->> 'publicAccessType' AS access
    FROM resources_history
    WHERE resourceType = 'Bucket' AND details ->> 'publicAccessType' IS NOT NULL
),
last_private AS (
    SELECT tenancy, ocid, max(run_started_at) AS at FROM seen WHERE access = 'NoPublicAccess' GROUP BY tenancy, ocid
)
SELECT
    r.tenancy,
    r.displayName AS bucket,
    r.compartmentPath,
    r.region,
    r.details ->> 'publicAccessType' AS access,
    min(s.run_started_at) AS public_since,
    any_value(p.at) AS last_seen_private,
    r.ocid
FROM resources AS r
JOIN seen AS s ON s.tenancy = r.tenancy AND s.ocid = r.ocid
LEFT JOIN last_private AS p ON p.tenancy = r.tenancy AND p.ocid = r.ocid
WHERE r.resourceType = 'Bucket'
    AND r.details ->> 'publicAccessType' <> 'NoPublicAccess'
    AND (p.at IS NULL OR s.run_started_at > p.at)
GROUP BY r.tenancy, r.displayName, r.compartmentPath, r.region, r.details ->> 'publicAccessType', r.ocid
ORDER BY public_since DESC, r.tenancy, r.compartmentPath, bucket, r.ocid
