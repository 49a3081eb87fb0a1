-- Which calendar years of building emissions are complete, per series: the whole city
-- (series 'city', department NULL) and each department (series 'department'). A figure that sums a
-- year (a headline, a table cell, a change) may compare it with another year only when both are
-- complete here, so a year with missing bills never passes for a reduction.
--
-- A series is a sum over meters (building x energy type). Year Y of a series is complete when it is
-- a whole calendar year of the reporting calendar (it starts on or after $first_month and its
-- December is over by $as_of: the current, unfinished year never is), the series has bills in Y,
-- and every meter expected in Y has a bill in each of Y's 12 months. A meter is expected in Y when
--   a. it has a bill in Y (so a building that stops reporting mid-year makes the year incomplete);
--   b. it has bills in a year before Y and in a year after Y (a year missing in between);
--   c. its building has bills in the baseline year but none in Y, a later year: a building whose
--      bills are missing for a whole year counts as 12 missing building-months, not as a reduction.
-- Not expected: a building that starts reporting after the baseline (its emissions are real and
-- are added), and a meter that stops at a year end while its building goes on reporting (a
-- building that goes all-electric). The baseline year is the city's first year complete by a and
-- b; it is every series' baseline (c makes later years like-for-like with it).
-- Missing months are counted in building-months: a building-month is missing when any expected
-- meter of the building has no bill for it.
-- Parameters: $first_month (first month of the reporting calendar), $as_of (the day the figures are
-- made: the months before its month are over).
WITH bounds AS (
    SELECT
        CAST($first_month AS DATE) AS first_month,
        CAST(date_trunc('month', CAST($as_of AS DATE)) AS DATE) AS end_month
),

bills AS (
    -- One row per meter and month with a bill (building, month and energy type are a unique key).
    SELECT DISTINCT
        department,
        building_id,
        energy_type,
        CAST(period_month AS DATE) AS period_month,
        year(period_month) AS year
    FROM out.building_emissions_monthly
),

building_names AS (
    SELECT building_id, any_value(building_name ORDER BY period_month DESC) AS building_name
    FROM out.building_emissions_monthly
    GROUP BY building_id
),

series_bills AS (
    SELECT 'city' AS series, '' AS department, building_id, energy_type, period_month, year FROM bills
    UNION ALL
    SELECT 'department' AS series, department, building_id, energy_type, period_month, year FROM bills
),

-- Every year of the reporting calendar that has a finished month, and every year with a bill.
calendar_years AS (
    SELECT CAST(unnest(range(year(first_month), year(end_month - INTERVAL 1 MONTH) + 1)) AS BIGINT) AS year
    FROM bounds
    WHERE end_month > first_month
    UNION
    SELECT year FROM bills
),

series_list AS (
    SELECT 'city' AS series, '' AS department
    UNION
    SELECT DISTINCT 'department', department FROM bills
),

series_years AS (
    SELECT
        series_list.series,
        series_list.department,
        calendar_years.year,
        make_date(calendar_years.year, 1, 1) AS year_start,
        make_date(calendar_years.year + 1, 1, 1) AS year_end,
        -- Months of the year inside [first_month, end_month): 12 for a whole, finished year.
        greatest(
            0,
            datediff('month', greatest(make_date(calendar_years.year, 1, 1), bounds.first_month), least(make_date(calendar_years.year + 1, 1, 1), bounds.end_month))
        ) AS months_expected
    FROM series_list CROSS JOIN calendar_years CROSS JOIN bounds
),

calendar_bills AS (
    -- Bills inside the reporting calendar: only these count as present.
    SELECT series_bills.*
    FROM series_bills CROSS JOIN bounds
    WHERE series_bills.period_month >= bounds.first_month AND series_bills.period_month < bounds.end_month
),

meter_years AS (
    SELECT series, department, year, building_id, energy_type, count(*) AS months_present
    FROM calendar_bills
    GROUP BY ALL
),

meter_spans AS (
    SELECT series, department, building_id, energy_type, min(year) AS first_year, max(year) AS last_year
    FROM meter_years
    GROUP BY ALL
),

gap_meters AS (
    -- Rule b: a meter with bills before and after the year but none in it.
    SELECT series_years.series, series_years.department, series_years.year, spans.building_id, spans.energy_type, 0 AS months_present
    FROM series_years
    JOIN meter_spans AS spans
        ON spans.series = series_years.series AND spans.department = series_years.department
        AND spans.first_year < series_years.year AND spans.last_year > series_years.year
    WHERE NOT EXISTS (
        SELECT 1 FROM meter_years AS this_year
        WHERE this_year.series = series_years.series
            AND this_year.department = series_years.department
            AND this_year.year = series_years.year
            AND this_year.building_id = spans.building_id
            AND this_year.energy_type = spans.energy_type
    )
),

billed_or_gap_meters AS (
    SELECT * FROM meter_years
    UNION ALL
    SELECT * FROM gap_meters
),

own AS (
    -- Rules a and b alone: how the baseline year is found.
    SELECT
        series_years.series,
        series_years.department,
        series_years.year,
        series_years.months_expected,
        count(meters.building_id) AS meters,
        coalesce(sum(series_years.months_expected - meters.months_present), 0) AS meter_months_missing
    FROM series_years
    LEFT JOIN billed_or_gap_meters AS meters USING (series, department, year)
    GROUP BY ALL
),

baseline AS (
    SELECT min(year) AS baseline_year
    FROM own
    WHERE series = 'city' AND months_expected = 12 AND meters > 0 AND meter_months_missing = 0
),

absent_building_meters AS (
    -- Rule c: buildings with bills in the baseline year and none in this later year; their baseline meters are expected.
    SELECT series_years.series, series_years.department, series_years.year, base.building_id, base.energy_type, 0 AS months_present
    FROM series_years
    CROSS JOIN baseline
    JOIN meter_years AS base
        ON base.series = series_years.series AND base.department = series_years.department AND base.year = baseline.baseline_year
    WHERE series_years.year > baseline.baseline_year
        AND series_years.months_expected > 0
        AND NOT EXISTS (
            SELECT 1 FROM billed_or_gap_meters AS this_year
            WHERE this_year.series = series_years.series
                AND this_year.department = series_years.department
                AND this_year.year = series_years.year
                AND this_year.building_id = base.building_id
        )
),

expected_meters AS (
    SELECT * FROM billed_or_gap_meters
    UNION ALL
    SELECT * FROM absent_building_meters
),

building_years AS (
    -- Per expected building: its expected meters and the months in which all of them have a bill.
    SELECT
        expected.series,
        expected.department,
        expected.year,
        expected.building_id,
        expected.meters,
        expected.months_present,
        coalesce(full_months.months, 0) AS full_months
    FROM (
        SELECT series, department, year, building_id, count(*) AS meters, sum(months_present) AS months_present
        FROM expected_meters
        GROUP BY ALL
    ) AS expected
    LEFT JOIN (
        SELECT series, department, year, building_id, count(*) AS months
        FROM (
            SELECT series, department, year, building_id, period_month, count(*) AS meters_billed
            FROM calendar_bills
            GROUP BY ALL
        ) AS billed
        JOIN (SELECT series, department, year, building_id, count(*) AS meters FROM expected_meters GROUP BY ALL) AS wanted
            USING (series, department, year, building_id)
        WHERE billed.meters_billed = wanted.meters
        GROUP BY ALL
    ) AS full_months USING (series, department, year, building_id)
),

counted AS (
    SELECT
        series_years.series,
        series_years.department,
        series_years.year,
        series_years.year_start,
        series_years.year_end,
        series_years.months_expected,
        coalesce(sum(building_years.meters), 0) AS members,
        coalesce(sum(building_years.meters), 0) * series_years.months_expected AS member_months_expected,
        coalesce(sum(building_years.months_present), 0) AS member_months_present,
        count(building_years.building_id) AS buildings,
        count(building_years.building_id) * series_years.months_expected AS building_months_expected,
        coalesce(sum(series_years.months_expected - building_years.full_months), 0) AS building_months_missing,
        list(
            {
                'building_id': building_years.building_id,
                'building_name': building_names.building_name,
                'months_missing': series_years.months_expected - building_years.full_months
            }
            ORDER BY building_years.building_id
        ) FILTER (WHERE building_years.full_months < series_years.months_expected) AS missing_buildings
    FROM series_years
    LEFT JOIN building_years USING (series, department, year)
    LEFT JOIN building_names USING (building_id)
    GROUP BY series_years.series, series_years.department, series_years.year, series_years.year_start, series_years.year_end, series_years.months_expected
),

final AS (
    SELECT
        counted.series,
        CASE counted.series WHEN 'department' THEN counted.department END AS department,
        counted.year,
        counted.months_expected,
        counted.members,
        counted.member_months_expected,
        counted.member_months_present,
        counted.member_months_expected - counted.member_months_present AS member_months_missing,
        counted.buildings,
        counted.building_months_expected,
        counted.building_months_missing,
        counted.months_expected = 12 AND counted.members > 0 AND counted.member_months_present = counted.member_months_expected AS is_complete,
        CASE
            WHEN counted.year_end <= bounds.first_month
                THEN 'before the reporting calendar, which starts ' || strftime(bounds.first_month, '%B %Y')
            WHEN counted.year_start < bounds.first_month
                THEN 'not a whole year: the reporting calendar starts ' || strftime(bounds.first_month, '%B %Y')
            WHEN counted.year_end > bounds.end_month
                THEN 'the year is not over'
            WHEN counted.members = 0
                THEN 'no bills'
            WHEN counted.member_months_present < counted.member_months_expected
                THEN format('{} of {} building-months missing', counted.building_months_missing, counted.building_months_expected)
        END AS reason,
        coalesce(counted.missing_buildings, []) AS missing_buildings,
        baseline.baseline_year
    FROM counted CROSS JOIN bounds CROSS JOIN baseline
)

SELECT * FROM final
ORDER BY series, department NULLS FIRST, year
