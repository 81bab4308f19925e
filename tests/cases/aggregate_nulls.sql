CREATE STREAM S (v INT);
INSERT INTO Out SELECT count() AS n, count(v) AS nv, sum(v) AS s, avg(v) AS a, min(v) AS lo, max(v) AS hi FROM S WINDOW('length', 2);
