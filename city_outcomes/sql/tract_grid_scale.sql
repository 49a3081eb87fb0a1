-- Coarsening grid (privacy.prepare_tract_shapes): cells of 1/2**k degree, k chosen to make the
-- cells over all tracts' bounding boxes about $cells in number (within a factor of 2; k from 0 to 20). A power of two, so that
-- floor(coordinate * 2**k) and a cell's corners are computed without rounding.
SET VARIABLE tract_cells_per_degree = (
    SELECT CAST(2 ** least(20, greatest(0, coalesce(round(log2(sqrt($cells / nullif(sum(
        (ST_XMax(geom) - ST_XMin(geom)) * (ST_YMax(geom) - ST_YMin(geom))
    ), 0)))), 20))) AS DOUBLE)
    FROM _tract_shapes
);
