-- new-this-week: resources that appeared in the last 7 days
--
-- Every resource a diff of the last 7 days reports as added (runs made with --prev, e.g. --prev latest), newest
-- first, with the run that first saw it and whether the newest complete run still has it (still_there).
-- Only diffed runs count: a run made without --prev has no diff, so it adds nothing here. Regions a diff did not
-- compare (a failed region) add nothing either: see notComparedRegions in the changes view.
SELECT
    c.tenancy,
    c.resourceType,
    c.displayName,
    r.compartmentPath,
    c.region,
    c.run_started_at AS appeared_in_run_started,
    c.run_id,
    r.ocid IS NOT NULL AS still_there,
    c.ocid
FROM changes AS c
LEFT JOIN resources AS r ON r.tenancy = c.tenancy AND r.ocid = c.ocid
WHERE c.change = 'added' AND c.run_started_at >= now() - INTERVAL 7 DAY
ORDER BY c.run_started_at DESC, c.tenancy, c.resourceType, c.displayName, c.ocid
