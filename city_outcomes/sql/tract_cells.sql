-- Coarsening grid (privacy.prepare_tract_shapes): for each cell a tract touches, the one tract the
-- cell lies properly inside when it touches no other (no test needed for its points), or else
-- the tracts it touches, by GEOID (its points are tested with ST_Contains against those only).
-- Each cell's box is widened by 1e-9 degree (0.1 mm) for both tests, to leave no doubt at edges.
CREATE OR REPLACE TEMP TABLE _tract_cells AS
WITH grid AS (
    SELECT getvariable('tract_cells_per_degree') AS scale
),
bounds AS (
    SELECT shapes.tract_geoid, shapes.geom, grid.scale,
           CAST(floor(ST_YMin(shapes.geom) * grid.scale) AS BIGINT) AS lat_first,
           CAST(floor(ST_YMax(shapes.geom) * grid.scale) AS BIGINT) AS lat_last,
           CAST(floor(ST_XMin(shapes.geom) * grid.scale) AS BIGINT) AS lon_first,
           CAST(floor(ST_XMax(shapes.geom) * grid.scale) AS BIGINT) AS lon_last
    FROM _tract_shapes AS shapes, grid
    WHERE shapes.geom IS NOT NULL AND NOT ST_IsEmpty(shapes.geom)
),
boxes AS (
    SELECT bounds.tract_geoid, bounds.geom, lat.cell_lat, lon.cell_lon,
           ST_MakeEnvelope(lon.cell_lon / bounds.scale - 1e-9, lat.cell_lat / bounds.scale - 1e-9,
                           (lon.cell_lon + 1) / bounds.scale + 1e-9, (lat.cell_lat + 1) / bounds.scale + 1e-9) AS box
    FROM bounds,
         range(bounds.lat_first, bounds.lat_last + 1) AS lat(cell_lat),
         range(bounds.lon_first, bounds.lon_last + 1) AS lon(cell_lon)
),
touching AS (
    SELECT cell_lat, cell_lon, tract_geoid, geom, ST_ContainsProperly(geom, box) AS inside
    FROM boxes
    WHERE ST_Intersects(geom, box)
)
SELECT cell_lat, cell_lon,
       CASE WHEN count(*) = 1 AND bool_and(inside) THEN any_value(tract_geoid) END AS tract_geoid,
       CASE WHEN count(*) > 1 OR NOT bool_and(inside)
            THEN list({'tract_geoid': tract_geoid, 'geom': geom} ORDER BY tract_geoid) END AS candidates
FROM touching
GROUP BY cell_lat, cell_lon;
