CREATE STREAM S (v DOUBLE, ok BOOL);
INSERT INTO Out SELECT stdDev(v) AS sd, distinctCount(v) AS dc, COUNT(DISTINCT v) AS dc2, first(v) AS f, last(v) AS l, and(ok) AS all_ok, or(ok) AS any_ok, minForever(v) AS lo, maxForever(v) AS hi FROM S WINDOW('length', 3);
